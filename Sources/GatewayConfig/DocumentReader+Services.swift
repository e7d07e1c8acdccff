import Yams

extension DocumentReader {
    /// Kong protocols that exist but that this gateway does not proxy.
    static let unsupportedProtocols: Set<String> = [
        "grpc", "grpcs", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss",
    ]

    /// Kong's bounds for service timeouts (ms) and retries.
    static let timeoutRange = 1...2_147_483_646
    static let retriesRange = 0...32767

    /// Reads one entry of `services`, then its nested routes and plugins.
    func readService(_ node: Node, path: String) {
        guard let reader = ConfigReader(node, path: path, context: context) else { return }
        let index = services.count
        let name = reader.string("name")
        if let name {
            checkName(name, reader: reader)
            checkUnique(name, in: &serviceNames, kind: "service name", reader: reader)
        }
        let id = reader.string("id")
        reader.ignore("tags", "created_at", "updated_at", "_comment", "_ignore")

        var scheme = UpstreamScheme.http
        var host = ""
        var port: Int?
        var servicePath: String?
        if let url = reader.string("url") {
            for key in ["protocol", "host", "port", "path"] where reader.has(key) {
                reader.ignore(key)
                reader.report("cannot be set together with 'url'", key: key)
            }
            switch ParsedURL.parse(url) {
            case .failure(let invalid):
                reader.report(invalid.reason, key: "url")
            case .success(let parsed):
                if parsed.query != nil { reader.report("must not have a query", key: "url") }
                if let parsedScheme = Self.scheme(parsed.scheme, reader: reader, key: "url") { scheme = parsedScheme }
                host = parsed.host
                port = parsed.port
                servicePath = parsed.path
            }
        } else {
            if let text = reader.string("protocol"), let parsed = Self.scheme(text, reader: reader, key: "protocol") {
                scheme = parsed
            }
            if !reader.has("host") {
                reader.ignore("host")
                reader.report("required field missing (set 'host' or 'url')", key: "host")
            } else if let text = reader.string("host") {
                host = text
                let isAddress = IPAddress.parse(text) != nil
                if !isAddress, !ListenAddress.isHostName(Substring(text)) {
                    reader.report("'\(text)' is not a valid host", key: "host")
                }
            }
            port = reader.optionalInt("port", range: 1...65535)
            servicePath = reader.string("path")
        }
        if let servicePath {
            Self.checkServicePath(servicePath, reader: reader, key: reader.has("url") ? "url" : "path")
        }

        let service = ServiceConfig(
            name: name,
            scheme: scheme,
            host: host,
            port: port,
            path: servicePath,
            connectTimeoutMs: reader.int("connect_timeout", default: 60000, range: Self.timeoutRange),
            readTimeoutMs: reader.int("read_timeout", default: 60000, range: Self.timeoutRange),
            writeTimeoutMs: reader.int("write_timeout", default: 60000, range: Self.timeoutRange),
            retries: reader.int("retries", default: 5, range: Self.retriesRange),
            tlsVerify: reader.bool("tls_verify", default: false),
            enabled: reader.bool("enabled", default: true),
            location: path
        )
        _ = reader.optionalInt("tls_verify_depth", range: 0...64)  // accepted; chain depth is not limited
        reader.rejectUnsupported("ca_certificates", "client_certificate")
        services.append((service, id))

        for element in reader.list("routes") {
            readRoute(element.node, path: element.path, nestedIn: index)
        }
        for element in reader.list("plugins") {
            readPlugin(element.node, path: element.path, nestedScope: .service(index))
        }
        reader.finish()
    }

    /// `http` / `https`; Kong's other protocols are named as unsupported, anything else is invalid.
    static func scheme(_ text: String, reader: ConfigReader, key: String) -> UpstreamScheme? {
        let lowered = text.lowercased()
        if let scheme = UpstreamScheme(rawValue: lowered) { return scheme }
        if unsupportedProtocols.contains(lowered) {
            reader.report("protocol '\(lowered)' is not supported by ping-auth-proxy (only http and https)", key: key)
        } else if key == "url" {
            reader.report("scheme must be http or https", key: key)
        } else {
            reader.report("expected one of http, https, got \"\(text)\"", key: key)
        }
        return nil
    }

    /// Kong's service path rule, simplified: absolute, and no characters that cannot be sent raw.
    private static func checkServicePath(_ path: String, reader: ConfigReader, key: String) {
        if !path.hasPrefix("/") {
            reader.report("path must start with /", key: key)
        } else if path.contains(where: { $0 == " " || $0 == "?" || $0 == "#" || $0.isNewline }) {
            reader.report("path must not contain spaces, '?' or '#'", key: key)
        }
    }
}
