import Yams

extension DocumentReader {
    /// Reads one route: nested in `services[nestedIn]`, or top level (`nestedIn == nil`) with an optional
    /// `service` reference. Then its nested plugins.
    func readRoute(_ node: Node, path: String, nestedIn: Int?) {
        guard let reader = ConfigReader(node, path: path, context: context) else { return }
        let index = routes.count
        var route = RouteConfig(serviceIndex: nestedIn, location: path)
        route.name = reader.string("name")
        if let name = route.name {
            checkName(name, reader: reader)
            checkUnique(name, in: &routeNames, kind: "route name", reader: reader)
        }
        let id = reader.string("id")
        reader.ignore("tags", "created_at", "updated_at", "_comment", "_ignore")

        if nestedIn != nil {
            if reader.has("service") {
                reader.ignore("service")
                reader.report("a route nested in a service must not set 'service'", key: "service")
            }
        } else if let reference = EntityReference.read("service", from: reader) {
            route.serviceIndex = resolveService(reference, reader: reader)
        }

        route.protocols = readProtocols(reader, allowed: ["http", "https"]) ?? route.protocols
        route.methods = reader.strings("methods", normalize: { $0.uppercased() }, problem: Self.methodProblem) ?? []
        route.hosts = reader.strings("hosts", normalize: { $0.lowercased() }, problem: Self.hostProblem) ?? []
        route.paths = reader.strings("paths", problem: Self.pathProblem) ?? []
        route.headers = readHeaders(reader)
        route.snis = reader.strings("snis", normalize: { $0.lowercased() }) ?? []
        if !route.snis.isEmpty, !route.protocols.contains("https") {
            reader.report("'snis' can only be set when 'protocols' is 'https'", key: "snis")
        }
        route.stripPath = reader.bool("strip_path", default: true)
        route.preserveHost = reader.bool("preserve_host", default: false)
        route.regexPriority = reader.int("regex_priority", default: 0, range: Int.min...Int.max)
        if let handling = reader.string("path_handling") {
            switch handling {
            case "v0": break
            case "v1":
                reader.report("path_handling 'v1' is not supported by ping-auth-proxy (only v0)", key: "path_handling")
            default: reader.report("expected one of v0, v1, got \"\(handling)\"", key: "path_handling")
            }
        }
        if let code = reader.optionalInt("https_redirect_status_code", range: 100...599) {
            if [426, 301, 302, 307, 308].contains(code) {
                route.httpsRedirectStatusCode = code
            } else {
                reader.report("expected one of 426, 301, 302, 307, 308, got \(code)", key: "https_redirect_status_code")
            }
        }
        route.requestBuffering = reader.bool("request_buffering", default: true)
        route.responseBuffering = reader.bool("response_buffering", default: true)
        reader.rejectUnsupported("sources", "destinations")

        let matchers = [route.methods, route.hosts, route.paths, route.snis, Array(route.headers.keys)]
        if matchers.allSatisfy(\.isEmpty) {
            reader.report(
                route.protocols.contains("https")
                    ? "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
                    : "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"
            )
        }
        routes.append((route, id, node))

        for element in reader.list("plugins") {
            readPlugin(element.node, path: element.path, nestedScope: .route(index))
        }
        reader.finish()
    }

    /// `protocols` of a route or plugin: a non-empty list of `allowed` values; Kong's other protocols are
    /// named as unsupported. `nil` when absent.
    func readProtocols(_ reader: ConfigReader, allowed: Set<String>) -> [String]? {
        guard reader.has("protocols") else {
            reader.ignore("protocols")
            return nil
        }
        let elements = reader.list("protocols")
        var protocols: [String] = []
        for element in elements {
            guard let text = context.string(element.node, at: element.path) else { continue }
            let lowered = text.lowercased()
            if allowed.contains(lowered) {
                protocols.append(lowered)
            } else if Self.unsupportedProtocols.contains(lowered) {
                context.report(
                    "protocol '\(lowered)' is not supported by ping-auth-proxy (only \(allowed.sorted().joined(separator: ", ")))",
                    at: element.path,
                    node: element.node
                )
            } else {
                let expected = allowed.sorted().joined(separator: ", ")
                context.report("expected one of \(expected), got \"\(text)\"", at: element.path, node: element.node)
            }
        }
        if case .sequence = reader.value("protocols"), elements.isEmpty {
            reader.report("must not be empty", key: "protocols")
        }
        return protocols
    }

    /// `headers: {name: [values]}`; names lower-cased; `host` refused as Kong does.
    private func readHeaders(_ reader: ConfigReader) -> [String: [String]] {
        guard let headers = reader.mapping("headers") else { return [:] }
        var result: [String: [String]] = [:]
        for name in headers.keys {
            let lowered = name.lowercased()
            if lowered == "host" {
                headers.ignore(name)
                headers.report(
                    "cannot contain 'host' header, which must be specified in the 'hosts' attribute",
                    key: name
                )
                continue
            }
            if !HeaderName.isValid(name) {
                headers.report("'\(name)' is not a valid header name", key: name)
            }
            guard let values = headers.strings(name) else { continue }
            if values.isEmpty, case .sequence = headers.value(name) {
                headers.report("must not be empty", key: name)
            }
            for (offset, value) in values.enumerated() where value.hasPrefix("~*") {
                if (try? Regex(String(value.dropFirst(2)))) == nil {
                    context.report(
                        "invalid regex '\(value.dropFirst(2))'",
                        at: "\(headers.path(name))[\(offset)]",
                        node: headers.value(name)
                    )
                }
            }
            result[lowered, default: []].append(contentsOf: values)
        }
        headers.finish()
        return result
    }

    /// Kong's host rule: at most one `*`, as the whole leftmost or rightmost label; an optional `:port`;
    /// IPv6 addresses in brackets.
    static func hostProblem(_ host: String) -> String? {
        var name = Substring(host)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]"),
                IPAddress.parse(host[host.index(after: host.startIndex)..<close])?.isV4 == false
            else { return "'\(host)' is not a valid host" }
            let rest = host[host.index(after: close)...]
            if rest.isEmpty { return nil }
            guard rest.hasPrefix(":") else { return "'\(host)' is not a valid host" }
            name = ""
            port = rest.dropFirst()
        } else if let colon = host.lastIndex(of: ":") {
            name = host[..<colon]
            port = host[host.index(after: colon)...]
        }
        if let port {
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit), let value = Int(port),
                (1...65535).contains(value)
            else { return "invalid port in host '\(host)'" }
            if name.isEmpty { return nil }
        }
        let stars = name.filter { $0 == "*" }.count
        if stars > 1 { return "invalid wildcard '\(host)': must have at most one wildcard" }
        if stars == 1, !(name.hasPrefix("*.") || name.hasSuffix(".*")) {
            return "invalid wildcard '\(host)': must be placed at leftmost or rightmost label"
        }
        let withoutWildcard = Substring(String(name.map { $0 == "*" ? "a" : $0 }))
        return ListenAddress.isHostName(withoutWildcard) ? nil : "'\(host)' is not a valid host"
    }

    /// Methods are upper-case letters only (Kong's rule, after upper-casing).
    static func methodProblem(_ method: String) -> String? {
        !method.isEmpty && method.allSatisfy(\.isASCIILetter) ? nil : "'\(method)' is not a valid method"
    }

    /// A prefix starts with `/`; a regex starts with `~` and must compile.
    static func pathProblem(_ path: String) -> String? {
        if path.hasPrefix("~") {
            let pattern = String(path.dropFirst())
            if pattern.isEmpty { return "regex must not be empty" }
            return (try? Regex(pattern)) == nil ? "invalid regex '\(pattern)'" : nil
        }
        return path.hasPrefix("/") ? nil : "path must start with / (or ~ for a regex)"
    }
}
