import ConnectionPool
import HTTPClientPool
import Logging
import NIOCore
import NIOHTTP1

/// Responses the gateway writes itself (Kong error bodies).
extension ProxyHandler {
    // MARK: - Local responses

    func respondLocally(
        _ response: KongErrorResponse,
        version: HTTPVersion,
        accept: String?,
        keepAlive: Bool,
        requestEnded: Bool,
        receivedAt: NIODeadline,
        extraHeaders: [(String, String)] = []
    ) {
        guard let context = self.context else { return }
        let body = response.body(format: .init(accept: accept), allocator: context.channel.allocator)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: KongErrorResponse.Format(accept: accept).contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Server", value: "ping-auth-proxy/\(GatewayVersion.string)")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if self.loop.configuration.source.proxy.latencyHeaders {
            headers.add(
                name: "X-Kong-Response-Latency",
                value: String(Self.milliseconds(from: receivedAt, to: NIODeadline.now()))
            )
        }
        self.addConnectionHeader(&headers, version: version, keepAlive: keepAlive)
        self.record?.status = UInt(response.status.code)
        self.record?.bytesSent += body.readableBytes
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        if keepAlive && !requestEnded {
            self.beginDiscarding()
        }
        self.finishResponse(keepAlive: keepAlive)
    }

    /// The response is (being) written before the request ended: read the rest and drop it.
    func beginDiscarding() {
        self.state = .discarding
        self.discardedBytes = 0
    }

    func addConnectionHeader(_ headers: inout HTTPHeaders, version: HTTPVersion, keepAlive: Bool) {
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
    }
}
