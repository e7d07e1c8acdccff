import SidebandProtocol

/// Rendering outcomes against one call.
extension HeaderChanges {
    /// `headers` with the changes applied: remove, then set, then add.
    func apply(to headers: [SidebandRequest.Header], context: EvaluationContext) -> [(name: String, value: String)] {
        var lines = headers.compactMap { header -> (name: String, value: String, lowercased: String)? in
            self.remove.contains(header.lowercasedName) ? nil : (header.name, header.value, header.lowercasedName)
        }
        for (name, values) in self.set {
            let lowercased = HTTPSyntax.lowercasedASCII(name)
            let position = lines.firstIndex { $0.lowercased == lowercased } ?? lines.count
            lines.removeAll { $0.lowercased == lowercased }
            let insertAt = min(position, lines.count)
            lines.insert(
                contentsOf: values.map { (name, Self.headerSafe($0.render(context)), lowercased) },
                at: insertAt
            )
        }
        for (name, values) in self.add {
            let lowercased = HTTPSyntax.lowercasedASCII(name)
            lines += values.map { (name, Self.headerSafe($0.render(context)), lowercased) }
        }
        return lines.map { ($0.name, $0.value) }
    }

    /// A rendered value with CR, LF and NUL replaced by spaces: a capture or body field may contain them,
    /// and a gateway refuses a whole answer whose header values do (it would split the header).
    static func headerSafe(_ value: String) -> String {
        guard !HTTPSyntax.isSafeFieldValue(value) else { return value }
        return String(
            decoding: value.utf8.map { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 ? UInt8(ascii: " ") : $0 },
            as: UTF8.self
        )
    }
}

extension BodyChange {
    /// The new body, or nil when the body stays as it is (edits of a body that is not JSON, or edits that
    /// found nothing to change). `json` parses the body; it is called only for edits.
    func apply(to body: String?, json: () -> JSONValue?, context: EvaluationContext) -> String? {
        switch self {
        case .replace(let template):
            return template.render(context)
        case .edit(let set, let remove):
            var tree: JSONTree
            if body?.isEmpty ?? true {
                tree = .object([])
            } else if let value = json() {
                tree = JSONTree(value)
            } else {
                return nil
            }
            var changed = false
            for path in remove where tree.remove(path.steps[...]) { changed = true }
            for (path, value) in set where tree.set(path.steps[...], to: value.render(context)) { changed = true }
            return changed ? tree.text : nil
        }
    }
}

extension DenyOutcome {
    /// The deny's status, headers (with `Content-Type` added when the rule sets none) and body.
    func render(_ context: EvaluationContext) -> (status: Int, headers: [(name: String, value: String)], body: String) {
        var headers = self.headers.map { (name: $0.name, value: HeaderChanges.headerSafe($0.value.render(context))) }
        let body: String
        let isJSON: Bool
        if let template = self.body {
            body = template.render(context)
            isJSON = template.looksLikeJSON
        } else {
            body = #"{"errorMessage":"Access Denied","status":\#(self.status)}"#
            isJSON = true
        }
        if !headers.contains(where: { HTTPSyntax.lowercasedASCII($0.name) == "content-type" }) {
            headers.append(("Content-Type", isJSON ? "application/json" : "text/plain; charset=utf-8"))
        }
        return (self.status, headers, body)
    }
}
