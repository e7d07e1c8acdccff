import Yams

extension ProxySettings {
    /// Reads the `proxy:` section; every field is optional and keeps its default when absent.
    static func read(_ reader: ConfigReader) -> ProxySettings {
        var settings = ProxySettings()
        if let items = listOrCommaString(reader, key: "listen") {
            let listen = items.compactMap {
                parseListen(String($0.text), at: $0.path, node: $0.node, context: reader.context)
            }
            if items.isEmpty {
                reader.report("must not be empty", key: "listen")
            } else if !listen.isEmpty {
                settings.listen = listen
            }
        }
        if let text = reader.string("status_listen") {
            settings.statusListen = parseListen(
                text,
                at: reader.path("status_listen"),
                node: reader.value("status_listen"),
                context: reader.context
            )
        }
        if let tls = reader.mapping("tls") {
            settings.tls = readTLS(tls)
        }
        if let ranges = listOrCommaString(reader, key: "trusted_ips") {
            settings.trustedIPs = ranges.compactMap { item in
                if let range = IPRange.parse(String(item.text.trimmingSpaces())) { return range }
                reader.context.report(
                    "'\(item.text)' is not an IP address or CIDR range",
                    at: item.path,
                    node: item.node
                )
                return nil
            }
        }
        if let header = reader.string("real_ip_header") {
            switch header.lowercased() {
            case "x-real-ip", "x-forwarded-for": settings.realIPHeader = header.lowercased()
            case "proxy_protocol":
                reader.report(
                    "real_ip_header 'proxy_protocol' is not supported by ping-auth-proxy",
                    key: "real_ip_header"
                )
            default: reader.report("expected x-real-ip or x-forwarded-for, got \"\(header)\"", key: "real_ip_header")
            }
        }
        settings.realIPRecursive = reader.bool("real_ip_recursive", default: false)
        settings.clientTimeoutMs = reader.int("client_timeout_ms", default: 60000, range: 1...Int.max)
        settings.keepaliveTimeoutMs = reader.int("keepalive_timeout_ms", default: 75000, range: 0...Int.max)
        settings.maxHeaderBytes = reader.int("max_header_bytes", default: 65536, range: 1...Int.max)
        settings.maxHeaders = reader.int("max_headers", default: 100, range: 1...Int.max)
        settings.maxBodyBytes = reader.int("max_body_bytes", default: 1_048_576, range: 0...Int.max)
        settings.maxConnections = reader.int("max_connections", default: 10000, range: 1...Int.max)
        settings.latencyHeaders = reader.bool("latency_headers", default: true)
        settings.drainTimeoutMs = reader.int("drain_timeout_ms", default: 30000, range: 0...Int.max)
        settings.upstreamKeepalivePoolSize = reader.int(
            "upstream_keepalive_pool_size",
            default: 512,
            range: 0...Int.max
        )
        settings.upstreamKeepaliveIdleTimeoutMs = reader.int(
            "upstream_keepalive_idle_timeout_ms",
            default: 60000,
            range: 1...Int.max
        )
        settings.upstreamKeepaliveMaxRequests = reader.int(
            "upstream_keepalive_max_requests",
            default: 10000,
            range: 0...Int.max
        )
        settings.upstreamMaxConnections = reader.int("upstream_max_connections", default: 0, range: 0...Int.max)
        if case .scalar(let scalar)? = reader.value("worker_threads"), scalar.string == "auto" {
            settings.workerThreads = 0
        } else {
            settings.workerThreads = reader.int("worker_threads", default: 0, range: 0...1024)
        }
        if let level = reader.string("log_level") {
            if let canonical = logLevels[level.lowercased()] {
                settings.logLevel = canonical
            } else {
                reader.report(
                    "expected one of trace, debug, info, notice, warning, error, critical, got \"\(level)\"",
                    key: "log_level"
                )
            }
        }
        if case .scalar(let scalar)? = reader.value("access_log"), ["off", "false"].contains(scalar.string.lowercased()) {
            // Quoted or not (YAML reads an unquoted `off` as a boolean): Kong's `proxy_access_log = off`.
            settings.accessLog = .off
        } else if let destination = reader.string("access_log") {
            switch destination {
            case "stdout", "/dev/stdout": settings.accessLog = .stdout
            case "stderr", "/dev/stderr": settings.accessLog = .stderr
            case "": reader.report("expected off, stdout, stderr or a file path", key: "access_log")
            default: settings.accessLog = .file(reader.context.resolvedPath(destination))
            }
        }
        if let format = reader.string("access_log_format") {
            if let parsed = AccessLogFormat(rawValue: format.lowercased()) {
                settings.accessLogFormat = parsed
            } else {
                reader.report("expected text or json, got \"\(format)\"", key: "access_log_format")
            }
        }
        let sslListeners = settings.listen.filter(\.ssl).count + (settings.statusListen?.ssl == true ? 1 : 0)
        if sslListeners > 0, settings.tls == nil, !reader.has("tls") {
            reader.report(
                "an ssl listener requires proxy.tls with certificate and key",
                key: settings.listen.contains(where: \.ssl) ? "listen" : "status_listen"
            )
        }
        reader.finish()
        return settings
    }

    /// swift-log's names, plus Kong's (nginx's) `warn`, `crit`, `alert` and `emerg`.
    private static let logLevels: [String: String] = [
        "trace": "trace", "debug": "debug", "info": "info", "notice": "notice", "warning": "warning",
        "warn": "warning", "error": "error", "critical": "critical", "crit": "critical", "alert": "critical",
        "emerg": "critical",
    ]

    private static func readTLS(_ reader: ConfigReader) -> TLSSettings? {
        let certificate = reader.requiredString("certificate").map {
            reader.context.existingFile($0, at: reader.path("certificate"), node: reader.value("certificate"))
        }
        let key = reader.requiredString("key").map {
            reader.context.existingFile($0, at: reader.path("key"), node: reader.value("key"))
        }
        let clientCA = reader.string("client_ca").map {
            reader.context.existingFile($0, at: reader.path("client_ca"), node: reader.value("client_ca"))
        }
        reader.finish()
        guard let certificate, let key else { return nil }
        return TLSSettings(certificate: certificate, key: key, clientCA: clientCA)
    }

    private static func parseListen(
        _ text: String,
        at path: String,
        node: Node?,
        context: LoadContext
    ) -> ListenAddress? {
        switch ListenAddress.parseExplained(text) {
        case .success(let address):
            return address
        case .failure(let invalid):
            context.report("invalid listen address '\(text)': \(invalid.reason)", at: path, node: node)
            return nil
        }
    }

    /// One string item of a list, with where to report a problem about it.
    private typealias Item = (text: Substring, path: String, node: Node)

    /// A list of strings, or one string with comma-separated items as `kong.conf` writes them.
    private static func listOrCommaString(_ reader: ConfigReader, key: String) -> [Item]? {
        guard let value = reader.value(key) else { return nil }
        switch value {
        case .sequence:
            return reader.list(key).compactMap { element in
                reader.context.string(element.node, at: element.path).map {
                    (Substring($0), element.path, element.node)
                }
            }
        case .scalar:
            guard let text = reader.context.string(value, at: reader.path(key)) else { return nil }
            return text.split(separator: ",").map { ($0.trimmingSpaces(), reader.path(key), value) }
        case .mapping, .alias:
            reader.report("expected a list of strings, got \(LoadContext.describe(value))", key: key)
            return nil
        }
    }
}
