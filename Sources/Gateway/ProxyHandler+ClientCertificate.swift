import ClientCertificates
import NIOCore
import NIOSSL

extension ProxyHandler {
    /// The verified client certificate of this TLS connection as the policy's `client_certificate`
    /// object, rendered once per connection (the certificate cannot change) and nil on plain HTTP or when
    /// the client sent none.
    ///
    /// NIOSSL exposes the verified leaf; the rest of the chain is only available through a custom
    /// verification callback, so `include_full_cert_chain` currently yields the leaf alone.
    func clientCertificateJSON(includeFullChain: Bool) -> ByteBuffer? {
        if let cached = self.renderedClientCertificate { return cached }
        guard self.connection.scheme == "https", let context = self.context,
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let leaf = tls.peerCertificate, let der = try? leaf.toDERBytes()
        else {
            self.renderedClientCertificate = .some(nil)
            return nil
        }
        do {
            let rendered = try ClientCertificateJWK.render(chainDER: [der], includeFullChain: includeFullChain)
            self.renderedClientCertificate = .some(rendered)
            return rendered
        } catch {
            self.loop.logger.warning(
                "client certificate not described to the policy",
                metadata: ["proxy.error": "\(error)"]
            )
            self.renderedClientCertificate = .some(nil)
            return nil
        }
    }
}
