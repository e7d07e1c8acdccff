/// A route's conditions other than paths, compiled once (paths live on each ``Candidate``).
struct CompiledRoute: Sendable {
    /// ``RouteSpec/index``.
    var index: Int
    var methods: [String]
    var hosts: [HostPattern]
    var snis: [HostPattern]
    /// One condition per distinct header name.
    var headers: [HeaderCondition]
    var stripPath: Bool

    /// Compiles everything but the paths of `spec`.
    init(_ spec: RouteSpec) throws(RouterError) {
        self.index = spec.index
        self.methods = spec.methods
        self.hosts = try spec.hosts.map { (host) throws(RouterError) in
            guard let pattern = HostPattern(host, allowPort: true) else {
                throw RouterError(code: .invalidHost, routeIndex: spec.index, value: host, reason: "invalid host")
            }
            return pattern
        }
        self.snis = try spec.snis.map { (sni) throws(RouterError) in
            guard let pattern = HostPattern(sni, allowPort: false) else {
                throw RouterError(code: .invalidHost, routeIndex: spec.index, value: sni, reason: "invalid SNI")
            }
            return pattern
        }
        var headers: [HeaderCondition] = []
        for (name, values) in spec.headers {
            let condition = try HeaderCondition(name: name, values: values, routeIndex: spec.index)
            if let existing = headers.firstIndex(where: { $0.name == condition.name }) {
                headers[existing].merge(condition)
            } else {
                headers.append(condition)
            }
        }
        self.headers = headers
        self.stripPath = spec.stripPath
    }

    /// Method, host and SNI: the cheap checks, none of which allocates.
    func matchesConnection<Headers>(_ request: RouteRequest<Headers>) -> Bool {
        if !methods.isEmpty && !methods.contains(request.method) {
            return false
        }
        if !hosts.isEmpty && !hosts.contains(where: { $0.matches(request.host, port: request.port) }) {
            return false
        }
        // Kong (#6425): server names only constrain requests that came over TLS.
        if !snis.isEmpty, let sni = request.sni, !snis.contains(where: { $0.matches(sni, port: request.port) }) {
            return false
        }
        return true
    }

    /// Every header condition holds. Asks the request for each named header.
    func matchesHeaders<Headers>(_ request: RouteRequest<Headers>) -> Bool {
        headers.allSatisfy { $0.matches(request.headers) }
    }
}
