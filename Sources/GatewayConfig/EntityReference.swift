import Yams

/// How a top-level route or plugin points at its service or route, as Kong's declarative format allows:
/// `service: NAME`, `service: {name: NAME}` or `service: {id: ID}`. A bare string is looked up as a name
/// first, then as an id.
struct EntityReference {
    enum Kind {
        case nameOrID
        case name
        case id
    }

    var kind: Kind
    var value: String

    /// The reference under `key`; `nil` when absent or malformed (which is reported).
    static func read(_ key: String, from reader: ConfigReader) -> EntityReference? {
        guard let node = reader.value(key) else { return nil }
        if case .mapping = node {
            guard let child = ConfigReader(node, path: reader.path(key), context: reader.context) else { return nil }
            let name = child.string("name")
            let id = child.string("id")
            child.finish()
            switch (name, id) {
            case (let name?, nil): return EntityReference(kind: .name, value: name)
            case (nil, let id?): return EntityReference(kind: .id, value: id)
            case (.some, .some): reader.report("set either 'name' or 'id', not both", key: key)
            case (nil, nil): reader.report("expected {name: NAME} or {id: ID}", key: key)
            }
            return nil
        }
        guard let text = reader.context.string(node, at: reader.path(key)) else { return nil }
        return EntityReference(kind: .nameOrID, value: text)
    }

    /// Index of the first entity that the reference designates, given each entity's name and id.
    func resolve(names: [String?], ids: [String?]) -> Int? {
        switch kind {
        case .name: return names.firstIndex(of: value)
        case .id: return ids.firstIndex(of: value)
        case .nameOrID: return names.firstIndex(of: value) ?? ids.firstIndex(of: value)
        }
    }

    /// `'NAME'` or `with id 'ID'`, for "not found" messages.
    var quoted: String {
        switch kind {
        case .name, .nameOrID: return "'\(value)'"
        case .id: return "with id '\(value)'"
        }
    }
}

extension DocumentReader {
    /// The service a top-level route or plugin points at; reports `service 'x' not found`.
    func resolveService(_ reference: EntityReference, reader: ConfigReader) -> Int? {
        let found = reference.resolve(names: services.map(\.config.name), ids: services.map(\.id))
        if found == nil { reader.report("service \(reference.quoted) not found", key: "service") }
        return found
    }

    /// The route a top-level plugin points at; reports `route 'x' not found`.
    func resolveRoute(_ reference: EntityReference, reader: ConfigReader) -> Int? {
        let found = reference.resolve(names: routes.map(\.config.name), ids: routes.map(\.id))
        if found == nil { reader.report("route \(reference.quoted) not found", key: "route") }
        return found
    }
}
