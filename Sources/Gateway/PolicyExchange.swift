import NIOCore
import NIOHTTP1
import SidebandClient

/// The policy side of one request on a route covered by `ping-auth`: what was described to the provider
/// and what it answered. Part of the request's `Exchange`; never shared between requests (the original
/// plugin kept this in module globals, which let concurrent requests swap each other's `state`).
final class PolicyExchange {
    let instance: PingAuthInstance
    let client: SidebandClient

    /// The request body, collected whole because the policy must see it before anything goes upstream.
    var requestBody: ByteBuffer?
    /// The `/sideband/request` payload we sent: echoed as `request` in the response phase when the
    /// provider returned no `state`.
    var requestPayload: ByteBuffer?
    /// The `url` string exactly as written into the request payload, for the response phase.
    var urlJSON: ByteBuffer?
    /// The provider's `state`, raw JSON bytes.
    var state: ByteBuffer?
    /// The body we described (nil when we sent none), to know whether body changes apply.
    var describedBody = false
    /// The url parts we described, so the allow answer is compared with exactly what was sent.
    var describedScheme = ""
    var describedHost = ""
    var describedPort = 0
    var describedPath = ""
    /// Whether the upstream response goes to `/sideband/response` (false with `skip_response_phase` or
    /// after the request phase failed open).
    var runsResponsePhase: Bool
    /// The upstream response, collected for the response phase.
    var responseHead: HTTPResponseHead?
    var responseBody: ByteBuffer?
    var call: SidebandCall?
    /// When the call in flight was sent, to time each phase.
    var callStartedAt = NIODeadline.distantPast
    var correlationID: String?

    init(instance: PingAuthInstance, client: SidebandClient) {
        self.instance = instance
        self.client = client
        self.runsResponsePhase = !instance.config.skipResponsePhase
    }

    func appendRequestBody(_ buffer: ByteBuffer) {
        var buffer = buffer
        if self.requestBody == nil {
            self.requestBody = buffer
        } else {
            self.requestBody!.writeBuffer(&buffer)
        }
    }

    func appendResponseBody(_ buffer: ByteBuffer) {
        var buffer = buffer
        if self.responseBody == nil {
            self.responseBody = buffer
        } else {
            self.responseBody!.writeBuffer(&buffer)
        }
    }

    func cancel() {
        self.call?.cancel()
        self.call = nil
    }
}
