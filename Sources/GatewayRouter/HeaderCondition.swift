/// One header name of a route with the values it accepts, compiled.
///
/// Kong's `headers: {x-version: ["v1", "~*^beta"]}` means "some value of `x-version` equals `v1`
/// (ignoring case) or contains a match of `^beta` (ignoring case)".
struct HeaderCondition: Sendable {
    /// Lower-case header name, as asked of ``RouteHeaderLookup``.
    var name: String
    /// Accepted whole values, lower-cased (compared ASCII-case-insensitively).
    var exactValues: [String]
    /// `~*` values: case-insensitive, unanchored regex searches. Kong lower-cases both sides and the
    /// pattern; we compile the pattern as written with case folding, so escapes like `\D` keep their meaning.
    var regexes: [SharedRegex]

    /// Compiles `values` of header `name` for route `routeIndex`.
    init(name: String, values: [String], routeIndex: Int) throws(RouterError) {
        self.name = ASCIICaseInsensitive.lowercased(name)
        guard self.name != "host" else {
            throw RouterError(
                code: .hostHeader,
                routeIndex: routeIndex,
                value: name,
                reason: "a route cannot match on the host header; use hosts"
            )
        }
        self.exactValues = []
        self.regexes = []
        for value in values {
            if value.hasPrefix("~*") {
                do {
                    regexes.append(try SharedRegex(pattern: String(value.dropFirst(2)), ignoresCase: true))
                } catch {
                    throw RouterError(
                        code: .invalidHeaderRegex,
                        routeIndex: routeIndex,
                        value: "\(name): \(value)",
                        reason: "invalid regex: \(error)"
                    )
                }
            } else {
                exactValues.append(ASCIICaseInsensitive.lowercased(value))
            }
        }
    }

    /// Adds the values of a second entry with the same name (Kong keys headers by name, so they merge).
    mutating func merge(_ other: HeaderCondition) {
        exactValues += other.exactValues
        regexes += other.regexes
    }

    /// Whether one of the request's values of this header matches one of the accepted values.
    func matches<Headers: RouteHeaderLookup>(_ headers: Headers) -> Bool {
        for value in headers.routeHeaderValues(name) {
            for accepted in exactValues where ASCIICaseInsensitive.equals(value, accepted) {
                return true
            }
            for regex in regexes where regex.contains(in: value) {
                return true
            }
        }
        return false
    }
}
