import NIOCore

/// A JSON value written in YAML in a rules file (a deny body, a `set` value, a `replace` body), with
/// templates in its strings.
///
/// Mappings become objects and lists arrays, in the order written; YAML numbers, booleans and null become
/// their JSON counterparts. A string that is exactly one reference with a JSON path
/// (`"{{request.body.$.id}}"`) copies that JSON value with its type (a number stays a number, an object
/// an object); every other string renders to a JSON string.
indirect enum ValueTemplate: Sendable {
    case string(Template)
    /// A number, `true`, `false` or `null` as JSON text.
    case literal(String)
    case object([(key: String, value: ValueTemplate)])
    case array([ValueTemplate])
    /// One `{{x.$.path}}`: the JSON value found there, or `null` when there is none.
    case copy(TemplateReference)

    /// Renders to a JSON tree.
    func render(_ context: EvaluationContext) -> JSONTree {
        switch self {
        case .string(let template):
            return .string(template.render(context))
        case .literal(let text):
            return .literal(text)
        case .object(let members):
            return .object(members.map { ($0.key, $0.value.render(context)) })
        case .array(let elements):
            return .array(elements.map { $0.render(context) })
        case .copy(let reference):
            guard let value = context.jsonValue(reference) else { return .literal("null") }
            return JSONTree(value)
        }
    }
}

/// A body written by a rule: a text template, or a JSON value written in YAML.
enum BodyTemplate: Sendable {
    case text(Template)
    case json(ValueTemplate)

    func render(_ context: EvaluationContext) -> String {
        switch self {
        case .text(let template): template.render(context)
        case .json(let value): value.render(context).text
        }
    }

    /// Whether the body is JSON for `Content-Type` purposes: written as YAML, or text that starts with
    /// `{` or `[`.
    var looksLikeJSON: Bool {
        switch self {
        case .json:
            return true
        case .text(let template):
            guard case .text(let text) = template.parts.first else { return false }
            let first = text.utf8.first {
                $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\t")
            }
            return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        }
    }
}
