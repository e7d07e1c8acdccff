/// Kong's request routing (router flavour `traditional_compatible`), as a table compiled once from the
/// configuration and then matched against every request without locks.
///
/// Building: each route is split into candidates, one per group of its paths (each distinct prefix length
/// is a group, all its regexes are one), each with a ``RoutePriority``; the candidates are sorted by
/// descending priority, equal priorities keeping configuration order.
///
/// Matching: the first candidate, in that order, whose route's methods, hosts, SNIs and headers and whose
/// own paths all match the request wins. Walking the table touches only trivial values; a request that
/// ends on a prefix route allocates nothing but the returned postfix (when it is longer than 15 bytes),
/// plus the header arrays ``RouteHeaderLookup`` returns for routes that have headers.
public struct Router: Sendable {
    private let routes: [CompiledRoute]
    private let candidates: [Candidate]
    private let prefixes: PrefixTable
    private let regexes: [SharedRegex]

    /// Compiles `routes`, given in configuration order (which breaks ties of priority).
    ///
    /// - Throws: ``RouterError`` for the first route with a path that is not valid (a prefix that
    ///   ``RequestPath/normalize(_:)`` refuses, a `~` regex that does not compile), a `~*` header regex
    ///   that does not compile, a `host` header condition, or a malformed host or SNI.
    public init(routes: [RouteSpec]) throws(RouterError) {
        var compiled: [CompiledRoute] = []
        compiled.reserveCapacity(routes.count)
        var prefixes = PrefixTable()
        var regexes: [SharedRegex] = []
        var numbered: [(candidate: Candidate, sequence: Int)] = []
        for spec in routes {
            let slot = compiled.count
            let route = try CompiledRoute(spec)
            compiled.append(route)
            for (group, paths) in try Self.pathGroups(of: spec, prefixes: &prefixes, regexes: &regexes) {
                let priority = RoutePriority(
                    hasMethods: !spec.methods.isEmpty,
                    hosts: spec.hosts,
                    headerCount: route.headers.count,
                    hasSNIs: !spec.snis.isEmpty,
                    paths: group,
                    regexPriority: spec.regexPriority
                )
                numbered.append((Candidate(priority: priority, routeSlot: slot, paths: paths), numbered.count))
            }
        }
        numbered.sort { lhs, rhs in
            lhs.candidate.priority != rhs.candidate.priority
                ? lhs.candidate.priority > rhs.candidate.priority
                : lhs.sequence < rhs.sequence
        }
        self.routes = compiled
        self.candidates = numbered.map(\.candidate)
        self.prefixes = prefixes
        self.regexes = regexes
    }

    /// The route for `request`, or `nil` when none matches (the gateway answers 404
    /// `{"message":"no Route matched with those values"}`).
    public func match<Headers: RouteHeaderLookup>(_ request: RouteRequest<Headers>) -> RouteMatch? {
        if let outcome = request.path.utf8.withContiguousStorageIfAvailable({ match(request, pathBytes: $0) }) {
            return outcome
        }
        // Only a bridged string is not contiguous; make a native copy once.
        var path = request.path
        path.makeContiguousUTF8()
        return path.utf8.withContiguousStorageIfAvailable { match(request, pathBytes: $0) } ?? nil
    }

    private func match<Headers: RouteHeaderLookup>(
        _ request: RouteRequest<Headers>,
        pathBytes: UnsafeBufferPointer<UInt8>
    ) -> RouteMatch? {
        routes.withUnsafeBufferPointer { routes in
            for candidate in candidates {
                // Borrowed in place: no copy of the route's arrays per candidate.
                let slot = candidate.routeSlot
                switch candidate.paths {
                case .any:
                    guard routes[slot].matchesConnection(request), routes[slot].matchesHeaders(request) else {
                        continue
                    }
                    // Kong strips the leading "/" when a stripping route has no paths.
                    return Self.result(routes[slot], path: request.path, matchedBytes: 1, captures: [:])
                case .prefixes(let entries):
                    guard let length = prefixes.firstMatch(among: entries, in: pathBytes),
                        routes[slot].matchesConnection(request), routes[slot].matchesHeaders(request)
                    else {
                        continue
                    }
                    return Self.result(routes[slot], path: request.path, matchedBytes: length, captures: [:])
                case .regexes(let entries):
                    guard routes[slot].matchesConnection(request), routes[slot].matchesHeaders(request) else {
                        continue
                    }
                    for entry in entries {
                        guard let found = regexes[entry].firstMatch(in: request.path) else {
                            continue
                        }
                        // Kong strips as many bytes as the match is long, from the start of the path.
                        let length = request.path.utf8.distance(
                            from: found.range.lowerBound,
                            to: found.range.upperBound
                        )
                        return Self.result(
                            routes[slot],
                            path: request.path,
                            matchedBytes: length,
                            captures: Self.namedCaptures(of: found)
                        )
                    }
                }
            }
            return nil
        }
    }

    // MARK: - Building

    /// The candidates' path groups of `spec`, in the order their first path appears in the configuration;
    /// stores the paths in `prefixes` and `regexes`.
    private static func pathGroups(
        of spec: RouteSpec,
        prefixes: inout PrefixTable,
        regexes: inout [SharedRegex]
    ) throws(RouterError) -> [(RoutePriority.PathGroup, Candidate.Paths)] {
        if spec.paths.isEmpty {
            return [(.noPaths, .any)]
        }
        var prefixGroups: [(length: Int, prefixes: [String])] = []
        var routeRegexes: [SharedRegex] = []
        var order: [RoutePriority.PathGroup] = []
        for path in spec.paths {
            if path.utf8.first == ASCII.tilde {
                do {
                    // Kong prepends "^" to the pattern as written (so `~/a|/b` is `^/a|/b`).
                    routeRegexes.append(try SharedRegex(pattern: "^" + path.dropFirst(), ignoresCase: false))
                } catch {
                    throw RouterError(
                        code: .invalidPathRegex,
                        routeIndex: spec.index,
                        value: path,
                        reason: "invalid regex: \(error)"
                    )
                }
                if !order.contains(.regex) {
                    order.append(.regex)
                }
            } else {
                guard let prefix = RequestPath.normalize(path) else {
                    throw RouterError(
                        code: .invalidPath,
                        routeIndex: spec.index,
                        value: path,
                        reason: "a path must start with / (or ~ for a regex) and have valid %-escapes and no NUL"
                    )
                }
                let length = prefix.utf8.count
                if let existing = prefixGroups.firstIndex(where: { $0.length == length }) {
                    prefixGroups[existing].prefixes.append(prefix)
                } else {
                    prefixGroups.append((length, [prefix]))
                    order.append(.prefix(length: length))
                }
            }
        }
        return order.map { group in
            switch group {
            case .noPaths:
                return (group, .any)
            case .regex:
                let first = regexes.count
                regexes += routeRegexes
                return (group, .regexes(first..<regexes.count))
            case .prefix(let length):
                let first = prefixes.count
                for prefix in prefixGroups.first(where: { $0.length == length })?.prefixes ?? [] {
                    prefixes.append(prefix)
                }
                return (group, .prefixes(first..<prefixes.count))
            }
        }
    }

    // MARK: - Results

    private static func result(
        _ route: CompiledRoute,
        path: String,
        matchedBytes: Int,
        captures: [String: String]
    ) -> RouteMatch {
        RouteMatch(
            routeIndex: route.index,
            strippedPostfix: route.stripPath ? StripPath.postfix(of: path, droppingBytes: matchedBytes) : nil,
            captures: captures
        )
    }

    private static func namedCaptures(of match: Regex<AnyRegexOutput>.Match) -> [String: String] {
        var captures: [String: String] = [:]
        for element in match.output {
            if let name = element.name, let text = element.substring {
                captures[name] = String(text)
            }
        }
        return captures
    }
}
