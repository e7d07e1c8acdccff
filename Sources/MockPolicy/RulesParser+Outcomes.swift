import SidebandProtocol
import Yams

extension RulesParser {
    /// `allow:` — nothing (echo unchanged) or a mapping of changes.
    func parseAllow(_ node: Node?, path: String, scope: TemplateScope) -> AllowChanges? {
        guard let node, !node.isNull else { return AllowChanges() }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        var changes = AllowChanges()
        changes.headers = self.parseHeaderChanges(reader, scope: scope)
        if let method = reader.string("method") {
            changes.method = self.template(
                method,
                at: reader.path("method"),
                node: reader.value("method"),
                scope: scope
            )
        }
        if let path = reader.string("path") {
            changes.path = self.template(path, at: reader.path("path"), node: reader.value("path"), scope: scope)
        }
        if let query = reader.value("query") {
            changes.query = self.parseQueryChange(query, path: reader.path("query"), scope: scope)
        }
        if let body = reader.value("body") {
            changes.body = self.parseBodyChange(body, path: reader.path("body"), scope: scope)
        }
        reader.finish(expected: ["set_headers", "add_headers", "remove_headers", "method", "path", "query", "body"])
        return changes
    }

    /// `respond:` — a mapping of changes to the upstream response.
    func parseRespond(_ node: Node?, path: String, scope: TemplateScope) -> RespondChanges? {
        guard let node, !node.isNull else {
            self.sink.report(
                "respond needs changes (status, set_headers, add_headers, remove_headers, body); use pass: to leave the response alone",
                at: path,
                node: node
            )
            return nil
        }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        var changes = RespondChanges()
        changes.status = reader.int("status", range: 100...599)
        changes.headers = self.parseHeaderChanges(reader, scope: scope)
        if let body = reader.value("body") {
            changes.body = self.parseBodyChange(body, path: reader.path("body"), scope: scope)
        }
        reader.finish(expected: ["status", "set_headers", "add_headers", "remove_headers", "body"])
        return changes
    }

    /// `deny:` — nothing (403 with PingAuthorize's default body) or `status`, `headers`, `body`.
    func parseDeny(_ node: Node?, path: String, scope: TemplateScope) -> DenyOutcome? {
        guard let node, !node.isNull else { return Self.defaultDeny }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        var deny = Self.defaultDeny
        deny.status = reader.int("status", range: 100...599) ?? 403
        if let headers = reader.mapping("headers") {
            for entry in headers.allEntries() {
                guard self.checkHeaderName(entry.key, at: entry.path, node: entry.keyNode),
                    let text = RuleReader.string(entry.value, at: entry.path, sink: self.sink),
                    let value = self.template(text, at: entry.path, node: entry.value, scope: scope)
                else { continue }
                deny.headers.append((entry.key, value))
            }
        }
        if let body = reader.value("body") {
            deny.body = self.parseBodyTemplate(body, path: reader.path("body"), scope: scope)
        }
        reader.finish(expected: ["status", "headers", "body"])
        return deny
    }

    // MARK: - Parts

    private func parseHeaderChanges(_ reader: RuleReader, scope: TemplateScope) -> HeaderChanges {
        var changes = HeaderChanges()
        changes.remove = reader.oneOrMany("remove_headers").compactMap { element in
            guard let name = RuleReader.string(element.node, at: element.path, sink: self.sink),
                self.checkHeaderName(name, at: element.path, node: element.node)
            else { return nil }
            return HTTPSyntax.lowercasedASCII(name)
        }
        changes.set = self.headerValues(reader.mapping("set_headers"), scope: scope)
        changes.add = self.headerValues(reader.mapping("add_headers"), scope: scope)
        return changes
    }

    /// `Name: value` or `Name: [value, value]`, values being templates.
    private func headerValues(_ reader: RuleReader?, scope: TemplateScope) -> [(name: String, values: [Template])] {
        guard let reader else { return [] }
        return reader.allEntries().compactMap { entry in
            guard self.checkHeaderName(entry.key, at: entry.path, node: entry.keyNode) else { return nil }
            let values = RuleReader.oneOrMany(entry.value, at: entry.path, sink: self.sink).compactMap { element in
                RuleReader.string(element.node, at: element.path, sink: self.sink).flatMap {
                    self.template($0, at: element.path, node: element.node, scope: scope, isHeaderValue: true)
                }
            }
            return (entry.key, values)
        }
    }

    private func checkHeaderName(_ name: String, at path: String, node: Node) -> Bool {
        guard HTTPSyntax.isToken(name) else {
            self.sink.report("\"\(name)\" is not a valid header name", at: path, node: node)
            return false
        }
        return true
    }

    /// A string: the whole new query string; a mapping: `set` (name → template) and `remove` (names).
    private func parseQueryChange(_ node: Node, path: String, scope: TemplateScope) -> QueryChange? {
        if case .scalar = node {
            return node.string.flatMap { self.template($0, at: path, node: node, scope: scope) }.map { .replace($0) }
        }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        defer { reader.finish(expected: ["set", "remove"]) }
        var set: [(name: String, value: Template)] = []
        for entry in reader.mapping("set")?.allEntries() ?? [] {
            if let text = RuleReader.string(entry.value, at: entry.path, sink: self.sink),
                let value = self.template(text, at: entry.path, node: entry.value, scope: scope)
            {
                set.append((entry.key, value))
            }
        }
        let remove = reader.oneOrMany("remove").compactMap {
            RuleReader.string($0.node, at: $0.path, sink: self.sink)
        }
        return .edit(set: set, remove: remove)
    }

    /// A string: the whole new body; a mapping of `set` (JSON path → value), `remove` (JSON paths) or
    /// `replace` (a whole new body, a string or YAML written as JSON).
    private func parseBodyChange(_ node: Node, path: String, scope: TemplateScope) -> BodyChange? {
        if case .scalar = node {
            return node.string.flatMap { self.template($0, at: path, node: node, scope: scope) }.map {
                .replace(.text($0))
            }
        }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        defer { reader.finish(expected: ["set", "remove", "replace"]) }
        if let replacement = reader.value("replace") {
            if reader.contains("set") || reader.contains("remove") {
                reader.report("replace gives a whole new body: it cannot be combined with set or remove")
            }
            return self.parseBodyTemplate(replacement, path: reader.path("replace"), scope: scope).map { .replace($0) }
        }
        var set: [(path: JSONPath, value: ValueTemplate)] = []
        for entry in reader.mapping("set")?.allEntries() ?? [] {
            if let jsonPath = self.jsonPath(entry.key, at: entry.path, node: entry.keyNode),
                let value = self.parseValueTemplate(entry.value, path: entry.path, scope: scope)
            {
                set.append((jsonPath, value))
            }
        }
        let remove = reader.oneOrMany("remove").compactMap { element -> JSONPath? in
            guard let text = RuleReader.string(element.node, at: element.path, sink: self.sink),
                let jsonPath = self.jsonPath(text, at: element.path, node: element.node)
            else { return nil }
            if jsonPath.steps.isEmpty {
                self.sink.report("$ is the whole body: use replace to change it", at: element.path, node: element.node)
                return nil
            }
            return jsonPath
        }
        if set.isEmpty && remove.isEmpty && !reader.contains("set") && !reader.contains("remove") {
            reader.report("expected set, remove or replace")
        }
        return .edit(set: set, remove: remove)
    }

    /// A body: a string (text template) or a mapping / list written as JSON.
    private func parseBodyTemplate(_ node: Node, path: String, scope: TemplateScope) -> BodyTemplate? {
        if case .scalar = node, node.isStringScalar {
            return node.string.flatMap { self.template($0, at: path, node: node, scope: scope) }.map { .text($0) }
        }
        return self.parseValueTemplate(node, path: path, scope: scope).map { .json($0) }
    }

    /// YAML → JSON with templates in strings (see `ValueTemplate`).
    func parseValueTemplate(_ node: Node, path: String, scope: TemplateScope) -> ValueTemplate? {
        switch node {
        case .mapping:
            guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
            var members: [(key: String, value: ValueTemplate)] = []
            for entry in reader.allEntries() {
                guard let value = self.parseValueTemplate(entry.value, path: entry.path, scope: scope) else {
                    return nil
                }
                members.append((entry.key, value))
            }
            return .object(members)
        case .sequence(let sequence):
            var elements: [ValueTemplate] = []
            for (index, element) in sequence.enumerated() {
                guard let value = self.parseValueTemplate(element, path: "\(path)[\(index)]", scope: scope) else {
                    return nil
                }
                elements.append(value)
            }
            return .array(elements)
        case .scalar, .alias:
            switch self.scalarLiteral(node, path: path) {
            case .none: return nil
            case .some(.some(let literal)):
                if case .literal(let text) = literal { return .literal(text) }
                return nil
            case .some(.none):
                guard let template = self.template(node.string ?? "", at: path, node: node, scope: scope) else {
                    return nil
                }
                if let reference = template.singleReference, reference.jsonPath != nil, reference.filters.isEmpty {
                    return .copy(reference)
                }
                return .string(template)
            }
        }
    }

    /// Compiles a template, reporting problems at `path`. Header values may not contain line breaks.
    func template(
        _ text: String,
        at path: String,
        node: Node?,
        scope: TemplateScope,
        isHeaderValue: Bool = false
    ) -> Template? {
        if isHeaderValue && text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
            self.sink.report("a header value cannot contain a line break", at: path, node: node)
            return nil
        }
        switch Template.compile(text, scope: scope) {
        case .success(let template): return template
        case .failure(let error):
            self.sink.report(error.message, at: path, node: node)
            return nil
        }
    }
}
