/// The `config` of a `ping-auth` plugin instance: the original plugin's schema (same names and defaults)
/// plus this gateway's extensions, whose defaults keep the original behaviour.
///
/// `sharedSecret` is never printed: `description`, `debugDescription` and the reflection mirror (used by
/// `dump` and by the default description of any struct that contains this one) show `[REDACTED]`.
public struct PingAuthConfig: Sendable, Equatable {
    /// `service_url` (required): base URL of the policy provider, `http` or `https`, without `/sideband`
    /// (the gateway appends `/sideband/request` and `/sideband/response`).
    public var serviceURL: String
    /// `shared_secret` (required), already resolved when written as `{vault://env/NAME}`. Sent in
    /// `secretHeaderName` on every sideband call; never logged or printed.
    public var sharedSecret: String
    /// `secret_header_name` (required): header that carries the secret (PingAuthorize's default is
    /// `CLIENT-TOKEN`).
    public var secretHeaderName: String
    /// `connection_timeout_ms`: connect, read and write timeout of a sideband call. Default 10000, as the
    /// original plugin.
    public var connectionTimeoutMs: Int = 10000
    /// `connection_keepAlive_ms` (capital A, as the original): how long an idle sideband connection is kept
    /// for reuse. Default 60000.
    public var connectionKeepAliveMs: Int = 60000
    /// `verify_service_certificate`: verify the provider's TLS certificate. Default `true`.
    public var verifyServiceCertificate = true
    /// `enable_debug_logging`: log each sideband exchange at debug level, secret redacted. Default `false`.
    public var enableDebugLogging = false
    /// `fail_open`: proxy the request unchecked when the provider cannot be reached or answers badly.
    /// Default `false`: fail closed with 502, as the original.
    public var failOpen = false
    /// `skip_response_phase`: do not call `/sideband/response`; the upstream response goes to the client as
    /// is. Default `false`.
    public var skipResponsePhase = false
    /// `passthrough_status_codes`: provider statuses whose body is passed to the client as the answer.
    /// Default `[413]`, as the original; each 100...599.
    public var passthroughStatusCodes = [413]
    /// `max_retries`: extra sideband attempts after a connection failure. Default 0 (the original never
    /// retries).
    public var maxRetries = 0
    /// `retry_backoff_ms`: wait before a retry. Default 500.
    public var retryBackoffMs = 500
    /// `circuit_breaker_enabled`: stop calling a failing provider for a while. Default `true`.
    public var circuitBreakerEnabled = true
    /// `strip_accept_encoding`: drop `Accept-Encoding` upstream so response bodies reach the provider
    /// uncompressed. Default `true`.
    public var stripAcceptEncoding = true
    /// `ca_bundle`: PEM CA file for the provider's certificate, absolute after loading (relative paths are
    /// resolved against the configuration file's directory). Default `nil`: the system trust store.
    public var caBundle: String? = nil
    /// `max_sideband_body_bytes`: largest request or response body described to the provider. Default
    /// 1048576 (1 MiB). At least 1.
    public var maxSidebandBodyBytes: Int = 1_048_576
    /// `include_full_cert_chain`: describe the client's whole certificate chain, not only its leaf.
    /// Default `false`.
    public var includeFullCertChain = false
    /// `redact_headers`: header names (lower-cased) whose values are redacted in debug logs. Default
    /// `["authorization", "cookie"]`.
    public var redactHeaders = ["authorization", "cookie"]
    /// `include_body_content_types`: content types whose bodies are described (`*`, `type/*` or exact).
    /// Default `["*"]`: every body, as the original.
    public var includeBodyContentTypes = ["*"]

    /// The three required fields; everything else takes its default.
    public init(serviceURL: String, sharedSecret: String, secretHeaderName: String) {
        self.serviceURL = serviceURL
        self.sharedSecret = sharedSecret
        self.secretHeaderName = secretHeaderName
    }
}

extension PingAuthConfig: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The configuration in the file's own names, with `shared_secret: [REDACTED]`.
    public var description: String {
        let fields = Self.redactedFields(self).map { "\($0.label): \($0.value)" }
        return "PingAuthConfig(" + fields.joined(separator: ", ") + ")"
    }

    /// Same as `description`: never the secret.
    public var debugDescription: String { description }

    /// Children for `dump` and default struct descriptions; the secret child is `[REDACTED]`.
    public var customMirror: Mirror {
        Mirror(self, children: Self.redactedFields(self).map { (label: $0.label, value: $0.value) })
    }

    private static func redactedFields(_ config: PingAuthConfig) -> [(label: String, value: String)] {
        func quoted(_ text: String) -> String { "\"\(text)\"" }
        func list(_ values: [String]) -> String { "[" + values.map(quoted).joined(separator: ", ") + "]" }
        return [
            ("service_url", quoted(config.serviceURL)),
            ("shared_secret", "[REDACTED]"),
            ("secret_header_name", quoted(config.secretHeaderName)),
            ("connection_timeout_ms", String(config.connectionTimeoutMs)),
            ("connection_keepAlive_ms", String(config.connectionKeepAliveMs)),
            ("verify_service_certificate", String(config.verifyServiceCertificate)),
            ("enable_debug_logging", String(config.enableDebugLogging)),
            ("fail_open", String(config.failOpen)),
            ("skip_response_phase", String(config.skipResponsePhase)),
            (
                "passthrough_status_codes",
                "[" + config.passthroughStatusCodes.map(String.init).joined(separator: ", ") + "]"
            ),
            ("max_retries", String(config.maxRetries)),
            ("retry_backoff_ms", String(config.retryBackoffMs)),
            ("circuit_breaker_enabled", String(config.circuitBreakerEnabled)),
            ("strip_accept_encoding", String(config.stripAcceptEncoding)),
            ("ca_bundle", config.caBundle.map(quoted) ?? "nil"),
            ("max_sideband_body_bytes", String(config.maxSidebandBodyBytes)),
            ("include_full_cert_chain", String(config.includeFullCertChain)),
            ("redact_headers", list(config.redactHeaders)),
            ("include_body_content_types", list(config.includeBodyContentTypes)),
        ]
    }
}
