/// The `settings:` section of a rules file: how the mock authenticates callers and how it misbehaves on
/// purpose. Read by the `mock-pdp` server; the decision engine itself only uses `requestContextMethod`.
public struct MockSettings: Sendable, Equatable {
    /// How the response phase recovers the original request (PingAuthorize's servlet setting of the same
    /// name).
    public enum ContextMethod: String, Sendable {
        /// Allow answers carry an opaque `state` string (the original request payload, base64url); the
        /// gateway echoes it in `/sideband/response`. The default, as in PingAuthorize.
        case state
        /// No `state` is sent; the gateway sends the `request` payload back and response rules read it.
        case request
        /// No `state` is sent and a `request` sent back is ignored: response rules see only the method and
        /// url that every `/sideband/response` payload carries.
        case none
    }

    /// Header that carries the gateway's shared secret. Default `CLIENT-TOKEN`, PingAuthorize's default.
    public var secretHeaderName: String
    /// Accepted secrets; several at once so a secret can be rotated without downtime. Empty (the default)
    /// means no authentication at all. `{env:NAME}` and `{vault://env/NAME}` are resolved at load time.
    public var sharedSecrets: [String]
    /// Default `.state`.
    public var requestContextMethod: ContextMethod
    /// Fixed latency, in milliseconds, added to every answer. Default 0.
    public var latencyMs: Int
    /// Fraction (0...1) of calls answered with `errorStatus` instead of a decision. Default 0.
    public var errorRate: Double
    /// Status of the calls picked by `errorRate`. Default 503.
    public var errorStatus: Int
    /// How many decisions `GET /_mock/decisions` keeps. Default 100.
    public var decisionLogSize: Int

    public init(
        secretHeaderName: String = "CLIENT-TOKEN",
        sharedSecrets: [String] = [],
        requestContextMethod: ContextMethod = .state,
        latencyMs: Int = 0,
        errorRate: Double = 0,
        errorStatus: Int = 503,
        decisionLogSize: Int = 100
    ) {
        self.secretHeaderName = secretHeaderName
        self.sharedSecrets = sharedSecrets
        self.requestContextMethod = requestContextMethod
        self.latencyMs = latencyMs
        self.errorRate = errorRate
        self.errorStatus = errorStatus
        self.decisionLogSize = decisionLogSize
    }
}
