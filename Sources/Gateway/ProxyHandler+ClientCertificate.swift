import ClientCertificates
import NIOCore
import NIOSSL

extension ProxyHandler {
    /// The verified client certificate of this TLS connection as the policy's `client_certificate`
    /// object, rendered once per connection (the certificate cannot change) and nil on plain HTTP or when
    /// the client sent none.
    ///
    /// The chain is the one BoringSSL verified (leaf first, up to the trusted root), as recorded by the
    /// listener's verification callback; without it, the verified leaf alone.
    func clientCertificateJSON(includeFullChain: Bool) -> ByteBuffer? {
        if let cached = self.renderedClientCertificate { return cached }
        guard self.connection.scheme == "https", let context = self.context,
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let leaf = tls.peerCertificate, let leafDER = try? leaf.toDERBytes()
        else {
            self.renderedClientCertificate = .some(nil)
            return nil
        }
        var chain = (self.verifiedChain?.rootFirst.reversed() ?? []).compactMap { try? $0.toDERBytes() }
        if chain.first != leafDER { chain = [leafDER] }
        do {
            let rendered = try ClientCertificateJWK.render(chainDER: chain, includeFullChain: includeFullChain)
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

/// The certificates BoringSSL verified for one TLS connection, in the order its verification callback
/// saw them (root first). Confined to the connection's event loop.
final class VerifiedChainRecorder {
    var rootFirst: [NIOSSLCertificate] = []
}
