import SidebandProtocol

/// A scalar written in a rules file, compared with a JSON value by type: YAML numbers equal JSON numbers
/// of the same value (`0` equals `0.0`), `true`/`false`/`null` their JSON literals, and strings compare as
/// text (a JSON string's contents, or a number's or literal's source text, so `"42"` equals `42`).
enum JSONLiteral: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    func equals(_ value: JSONValue) -> Bool {
        switch self {
        case .string(let expected):
            switch value.kind {
            case .string, .number, .bool, .null: return value.text == expected
            case .object, .array: return false
            }
        case .number(let expected):
            guard let text = value.numberText, let number = Double(text) else { return false }
            return number == expected
        case .bool(let expected):
            return value.bool == expected
        case .null:
            return value.isNull
        }
    }
}

/// How one JSON body field is matched (`body:` in `match:`).
indirect enum JSONMatcher: Sendable {
    /// The field exists (`true`; `null` counts as existing) or does not (`false`).
    case exists(Bool)
    /// The field equals the literal.
    case equals(JSONLiteral)
    /// The field is a scalar whose text matches (`~regex` or a wildcard pattern).
    case pattern(StringPattern)
    /// An array field has an element equal to the literal, or a string field contains the literal's text.
    case contains(JSONLiteral)
    /// One of the matchers holds (a list in the rules file); the first that holds sets the captures.
    case anyOf([JSONMatcher])

    var captureNames: [String] {
        switch self {
        case .pattern(let pattern): pattern.captureNames
        case .anyOf(let matchers): matchers.flatMap(\.captureNames)
        case .exists, .equals, .contains: []
        }
    }

    /// `value` is the field, nil when absent.
    func matches(_ value: JSONValue?, captures: inout Captures) -> Bool {
        switch self {
        case .exists(let expected):
            return (value != nil) == expected
        case .equals(let literal):
            guard let value else { return false }
            return literal.equals(value)
        case .pattern(let pattern):
            guard let value, value.kind != .object, value.kind != .array else { return false }
            return pattern.matches(value.text, captures: &captures)
        case .contains(let literal):
            guard let value else { return false }
            switch value.kind {
            case .array:
                return value.elements.contains { literal.equals($0) }
            case .string:
                guard case .string(let needle) = literal else { return false }
                return value.text.contains(needle)
            case .object, .number, .bool, .null:
                return false
            }
        case .anyOf(let matchers):
            for matcher in matchers {
                var attempt = captures
                if matcher.matches(value, captures: &attempt) {
                    captures = attempt
                    return true
                }
            }
            return false
        }
    }
}

/// The `body:` matchers of a request or response: every field must match. The body is parsed as JSON
/// once per call; a body that is not JSON matches only `exists: false` fields.
struct BodyMatcher: Sendable {
    var fields: [(path: JSONPath, matcher: JSONMatcher)]

    var captureNames: [String] { self.fields.flatMap(\.matcher.captureNames) }

    func matches(_ body: JSONValue?, captures: inout Captures) -> Bool {
        for field in self.fields {
            let value = body.flatMap { field.path.lookup(in: $0) }
            guard field.matcher.matches(value, captures: &captures) else { return false }
        }
        return true
    }
}
