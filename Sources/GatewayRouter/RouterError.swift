/// A route that cannot be compiled. The gateway refuses to start with it, naming the route and the value.
public struct RouterError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, as a small closed set (new kinds can be added without breaking callers).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidPath
            case invalidPathRegex
            case invalidHeaderRegex
            case hostHeader
            case invalidHost
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A prefix path that is empty, does not start with `/`, or has a bad escape or a NUL.
        public static let invalidPath = Code(.invalidPath)
        /// A `~` path whose regex does not compile.
        public static let invalidPathRegex = Code(.invalidPathRegex)
        /// A `~*` header value whose regex does not compile.
        public static let invalidHeaderRegex = Code(.invalidHeaderRegex)
        /// A header condition on `host`, which Kong routes with `hosts` instead.
        public static let hostHeader = Code(.hostHeader)
        /// A host or SNI that is empty, or has a `*` anywhere but as the whole first or last label.
        public static let invalidHost = Code(.invalidHost)

        /// A bounded, stable label (usable as a metric label).
        public var description: String {
            switch base {
            case .invalidPath: "invalid_path"
            case .invalidPathRegex: "invalid_path_regex"
            case .invalidHeaderRegex: "invalid_header_regex"
            case .hostHeader: "host_header"
            case .invalidHost: "invalid_host"
            }
        }
    }

    /// What is wrong.
    public var code: Code
    /// ``RouteSpec/index`` of the offending route.
    public var routeIndex: Int
    /// The offending value as configured (a path, `name: value` of a header, a host).
    public var value: String
    /// Why, in words (for a regex, the regex parser's message).
    public var reason: String

    init(code: Code, routeIndex: Int, value: String, reason: String) {
        self.code = code
        self.routeIndex = routeIndex
        self.value = value
        self.reason = reason
    }

    /// ``Code/description``: bounded, for metric labels and log keys.
    public var shortDescription: String {
        code.description
    }

    public var description: String {
        "route \(routeIndex): \(value): \(reason)"
    }
}
