extension PingAuthConfig {
    /// Reads `config` of a `ping-auth` instance; keys outside the original schema and our extensions are
    /// reported as unknown. Missing or invalid required fields are reported and left empty: the load fails
    /// anyway, and the instance still takes part in the remaining checks.
    static func read(_ reader: ConfigReader) -> PingAuthConfig {
        let serviceURL = reader.requiredString("service_url")
        let sharedSecret = reader.requiredString("shared_secret", sensitive: true)
        let secretHeaderName = reader.requiredString("secret_header_name")
        var config = PingAuthConfig(
            serviceURL: serviceURL ?? "",
            sharedSecret: sharedSecret ?? "",
            secretHeaderName: secretHeaderName ?? ""
        )
        if let serviceURL {
            validateServiceURL(serviceURL, reader: reader)
        }
        if let sharedSecret {
            validateSecret(sharedSecret, reader: reader)
        }
        if let secretHeaderName, !HeaderName.isValid(secretHeaderName) {
            reader.report(
                secretHeaderName.isEmpty ? "must not be empty" : "'\(secretHeaderName)' is not a valid header name",
                key: "secret_header_name"
            )
        }
        let positive = 1...Int.max
        config.connectionTimeoutMs = reader.int("connection_timeout_ms", default: 10000, range: positive)
        config.connectionKeepAliveMs = reader.int("connection_keepAlive_ms", default: 60000, range: positive)
        config.verifyServiceCertificate = reader.bool("verify_service_certificate", default: true)
        config.enableDebugLogging = reader.bool("enable_debug_logging", default: false)
        config.failOpen = reader.bool("fail_open", default: false)
        config.skipResponsePhase = reader.bool("skip_response_phase", default: false)
        config.passthroughStatusCodes = reader.ints("passthrough_status_codes", range: 100...599) ?? [413]
        config.maxRetries = reader.int("max_retries", default: 0, range: 0...Int.max)
        config.retryBackoffMs = reader.int("retry_backoff_ms", default: 500, range: 0...Int.max)
        config.circuitBreakerEnabled = reader.bool("circuit_breaker_enabled", default: true)
        config.stripAcceptEncoding = reader.bool("strip_accept_encoding", default: true)
        if let bundle = reader.string("ca_bundle") {
            config.caBundle = reader.context.existingFile(
                bundle,
                at: reader.path("ca_bundle"),
                node: reader.value("ca_bundle")
            )
        }
        config.maxSidebandBodyBytes = reader.int("max_sideband_body_bytes", default: 1_048_576, range: positive)
        config.includeFullCertChain = reader.bool("include_full_cert_chain", default: false)
        if let names = reader.strings(
            "redact_headers",
            normalize: { $0.lowercased() },
            problem: { HeaderName.isValid($0) ? nil : "'\($0)' is not a valid header name" }
        ) {
            config.redactHeaders = names
        }
        if let types = reader.strings(
            "include_body_content_types",
            normalize: { $0.lowercased() },
            problem: {
                $0 == "*" || isMediaRange($0)
                    ? nil : "'\($0)' is not a content type (expected *, type/* or type/subtype)"
            }
        ) {
            config.includeBodyContentTypes = types
        }
        reader.finish()
        return config
    }

    /// The original schema's checks (http/https, non-blank host) plus ours: no `/sideband` suffix, which
    /// would make the gateway call `/sideband/sideband/request`.
    private static func validateServiceURL(_ text: String, reader: ConfigReader) {
        switch ParsedURL.parse(text) {
        case .failure(let invalid):
            reader.report(invalid.reason, key: "service_url")
        case .success(let url):
            if url.scheme != "http" && url.scheme != "https" {
                reader.report("scheme must be http or https", key: "service_url")
            } else if let path = url.path, path.hasSuffix("/sideband") || path.hasSuffix("/sideband/") {
                reader.report(
                    "must not include /sideband (the gateway appends /sideband/request and /sideband/response)",
                    key: "service_url"
                )
            }
        }
    }

    /// The secret goes into a header: it must be non-empty and free of control characters. Messages never
    /// show it.
    private static func validateSecret(_ secret: String, reader: ConfigReader) {
        if secret.isEmpty {
            reader.report("must not be empty", key: "shared_secret")
        } else if secret.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f }) {
            reader.report("must not contain control characters", key: "shared_secret")
        }
    }

    /// `type/subtype` or `type/*`, each part an HTTP token.
    private static func isMediaRange(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && HeaderName.isValid(parts[0]) && HeaderName.isValid(parts[1])
    }
}

/// RFC 9110 §5.1: a field name is a token.
enum HeaderName {
    static func isValid(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenByte)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
