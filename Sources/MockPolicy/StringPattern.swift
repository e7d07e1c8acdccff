import SidebandProtocol

/// One way to match a text value, as written in a rules file:
/// `~regex` is a regular expression, a value with `*` (or, in paths, `{name}`) is a wildcard pattern,
/// anything else must be equal.
enum StringPattern: Sendable {
    case exact(String)
    case glob(GlobPattern)
    case regex(RegexPattern)

    /// What the text is matched against; decides the wildcard dialect.
    enum Dialect: Sendable {
        /// URL paths: `*` is one segment, `**` any, `{name}` captures a segment.
        case path
        /// Host names: compared lower-cased.
        case host
        /// Header, query parameter and body values: `*` is any run of characters.
        case value
    }

    /// Reads a pattern from its text; `~` introduces a regular expression.
    static func parse(_ text: String, dialect: Dialect) -> Result<StringPattern, PatternError> {
        if text.utf8.first == UInt8(ascii: "~") {
            return RegexPattern.compile(String(text.dropFirst())).map { .regex($0) }
        }
        let text = dialect == .host ? HTTPSyntax.lowercasedASCII(text) : text
        guard GlobPattern.hasWildcards(text, isPath: dialect == .path) else { return .success(.exact(text)) }
        return GlobPattern.compile(text, isPath: dialect == .path).map { .glob($0) }
    }

    /// An exact pattern whatever the text contains (`{equals: "a*b"}`).
    static func literal(_ text: String, dialect: Dialect) -> StringPattern {
        .exact(dialect == .host ? HTTPSyntax.lowercasedASCII(text) : text)
    }

    /// The captures this pattern can set.
    var captureNames: [String] {
        switch self {
        case .exact: []
        case .glob(let glob): glob.captureNames
        case .regex(let regex): regex.captureNames
        }
    }

    func matches(_ text: String, captures: inout Captures) -> Bool {
        switch self {
        case .exact(let expected): text == expected
        case .glob(let glob): glob.matches(text, captures: &captures)
        case .regex(let regex): regex.matches(text, captures: &captures)
        }
    }
}

/// How a header or query parameter is matched: its values against patterns, or only its presence.
enum TextMatcher: Sendable {
    /// Some value matches one of the patterns (a header or parameter that is absent never matches).
    case anyOf([StringPattern])
    /// The header or parameter is present (`true`) or absent (`false`), whatever its value.
    case present(Bool)

    var captureNames: [String] {
        switch self {
        case .anyOf(let patterns): patterns.flatMap(\.captureNames)
        case .present: []
        }
    }

    /// Whether `values` (every value of one header or parameter, in order) satisfies the matcher. The
    /// first matching value sets the captures.
    func matches(_ values: [String], captures: inout Captures) -> Bool {
        switch self {
        case .present(let expected):
            return values.isEmpty != expected
        case .anyOf(let patterns):
            for value in values {
                for pattern in patterns {
                    var attempt = captures
                    if pattern.matches(value, captures: &attempt) {
                        captures = attempt
                        return true
                    }
                }
            }
            return false
        }
    }
}
