import SidebandProtocol
/// A text with `{{...}}` references, compiled when the rules are loaded: `"user {{captures.id}}"`,
/// `"{{request.headers.x-user | lower}}"`, `"{{captures.token.$.sub}}"`.
///
/// References (see Config/policies/README.md for the full list): `captures.NAME`; `request.method`, `.url`,
/// `.path`, `.host`, `.query`, `.query.NAME`, `.headers.NAME`, `.body`, `.source_ip`; in response rules
/// also `response.status`, `response.headers.NAME`, `response.body`. Any reference followed by `.$...`
/// reads a JSON path from the value (the body, or a text that holds JSON or a JWT). Filters after `|`:
/// `lower`, `upper`, `urlencode`, `json`. Anything missing renders as `""`; `{{` always opens a reference.
struct Template: Sendable {
    enum Part: Sendable {
        case text(String)
        case reference(TemplateReference)
    }

    let parts: [Part]

    /// The text when there is no reference.
    var constantText: String? {
        if self.parts.isEmpty { return "" }
        guard self.parts.count == 1, case .text(let text) = self.parts[0] else { return nil }
        return text
    }

    /// The reference when the template is exactly one reference and nothing else.
    var singleReference: TemplateReference? {
        guard self.parts.count == 1, case .reference(let reference) = self.parts[0] else { return nil }
        return reference
    }

    static func constant(_ text: String) -> Template {
        Template(parts: text.isEmpty ? [] : [.text(text)])
    }

    static func compile(_ text: String, scope: TemplateScope) -> Result<Template, PatternError> {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                return .failure(PatternError("\"{{\" without a closing \"}}\" in \"\(text)\""))
            }
            switch TemplateReference.parse(rest[open.upperBound..<close.lowerBound], scope: scope) {
            case .success(let reference): parts.append(.reference(reference))
            case .failure(let error): return .failure(error)
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return .success(Template(parts: parts))
    }
}

/// What a template may refer to: the phase decides whether `response.*` exists, the rule's matchers which
/// captures do.
struct TemplateScope: Sendable {
    enum Phase: Sendable {
        case request, response
    }

    var phase: Phase
    var captures: Set<String>
}

/// One `{{...}}`.
struct TemplateReference: Sendable {
    enum Source: Sendable, Equatable {
        case capture(String)
        case requestMethod, requestURL, requestPath, requestHost, requestQuery, requestBody, requestSourceIP
        case requestQueryParameter(String)
        case requestHeader(String)
        case responseStatus, responseBody
        case responseHeader(String)
    }

    enum Filter: String, Sendable, CaseIterable {
        /// Lower case.
        case lower
        /// Upper case.
        case upper
        /// Percent-encoding of everything but `A-Z a-z 0-9 - . _ ~`.
        case urlencode
        /// Escaped for use inside a JSON string (`"` → `\"`), without the quotes.
        case json
    }

    let source: Source
    /// `.$...` after the source: read this path from the value parsed as JSON (or a JWT's payload).
    let jsonPath: JSONPath?
    let filters: [Filter]

    static func parse(_ expression: Substring, scope: TemplateScope) -> Result<TemplateReference, PatternError> {
        let pieces = expression.split(separator: "|", omittingEmptySubsequences: false).map(Self.trimmed)
        let reference = pieces[0]
        var filters: [Filter] = []
        for name in pieces.dropFirst() {
            guard let filter = Filter(rawValue: String(name)) else {
                let known = Filter.allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(PatternError("unknown filter \"\(name)\" in {{\(expression)}} (known: \(known))"))
            }
            filters.append(filter)
        }
        var base = reference
        var jsonPath: JSONPath?
        if let dollar = reference.firstRange(of: ".$") {
            base = reference[..<dollar.lowerBound]
            switch JSONPath.parse(String(reference[reference.index(after: dollar.lowerBound)...])) {
            case .success(let path): jsonPath = path
            case .failure(let error): return .failure(error)
            }
        }
        switch Self.source(base, scope: scope) {
        case .success(let source):
            return .success(TemplateReference(source: source, jsonPath: jsonPath, filters: filters))
        case .failure(let error): return .failure(error)
        }
    }

    private static func source(_ text: Substring, scope: TemplateScope) -> Result<Source, PatternError> {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let unknown = PatternError(
            "unknown reference {{\(text)}} (use captures.NAME, request.method, request.url, request.path, "
                + "request.host, request.query, request.query.NAME, request.headers.NAME, request.body, "
                + "request.source_ip"
                + (scope.phase == .response ? ", response.status, response.headers.NAME, response.body)" : ")")
        )
        switch (parts.first, parts.count) {
        case ("captures", 2):
            guard scope.captures.contains(parts[1]) else {
                let known = scope.captures.sorted().joined(separator: ", ")
                return .failure(
                    PatternError(
                        "{{captures.\(parts[1])}}: this rule captures no \"\(parts[1])\""
                            + (known.isEmpty ? " (it captures nothing)" : " (it captures: \(known))")
                    )
                )
            }
            return .success(.capture(parts[1]))
        case ("request", 2):
            switch parts[1] {
            case "method": return .success(.requestMethod)
            case "url": return .success(.requestURL)
            case "path": return .success(.requestPath)
            case "host": return .success(.requestHost)
            case "query": return .success(.requestQuery)
            case "body": return .success(.requestBody)
            case "source_ip": return .success(.requestSourceIP)
            default: return .failure(unknown)
            }
        case ("request", 3) where parts[1] == "query" && !parts[2].isEmpty:
            return .success(.requestQueryParameter(parts[2]))
        case ("request", 3) where parts[1] == "headers" && !parts[2].isEmpty:
            return .success(.requestHeader(HTTPSyntax.lowercasedASCII(parts[2])))
        case ("response", _) where scope.phase == .request:
            return .failure(PatternError("{{\(text)}}: request rules have no response"))
        case ("response", 2) where parts[1] == "status":
            return .success(.responseStatus)
        case ("response", 2) where parts[1] == "body":
            return .success(.responseBody)
        case ("response", 3) where parts[1] == "headers" && !parts[2].isEmpty:
            return .success(.responseHeader(HTTPSyntax.lowercasedASCII(parts[2])))
        default:
            return .failure(unknown)
        }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
