import Yams

/// Walks a whole document: services (with their nested routes and plugins), then top-level routes, then
/// top-level plugins, so that references by name or id can always be resolved whatever order the sections
/// are written in. Afterwards routes and plugins are put in file order and cross-entity rules are checked.
final class DocumentReader {
    let context: LoadContext

    /// Read entities, each with its node (for file order) and its Kong `id` (for references).
    var services: [(config: ServiceConfig, id: String?)] = []
    var routes: [(config: RouteConfig, id: String?, node: Node)] = []
    var plugins: [(config: PluginConfig, node: Node)] = []

    /// First location of each name, to report duplicates with the place of the original.
    var serviceNames: [String: String] = [:]
    var routeNames: [String: String] = [:]
    var instanceNames: [String: String] = [:]

    /// Sections Kong has and this gateway does not implement: an error, never silently ignored.
    static let unsupportedSections = [
        "consumers", "upstreams", "targets", "certificates", "ca_certificates", "snis", "vaults", "key_sets", "keys",
        "consumer_groups",
    ]

    /// Kong's `_format_version` values.
    static let formatVersions = ["1.1", "2.1", "3.0"]

    init(context: LoadContext) {
        self.context = context
    }

    /// The configuration, or `nil` when the document is not even a mapping. Problems go to `context`.
    func read(_ root: Node) -> GatewayConfiguration? {
        guard let top = ConfigReader(root, path: "", context: context) else { return nil }
        if let version = top.value("_format_version"), version.tag.rawValue == Tag.Name.float.rawValue {
            // lyaml (and so Kong) reads an unquoted 3.0 as a number too; say how to fix it.
            let text = LoadContext.describe(version)
            top.report("expected a string, got \(text) (quote it: \"\(text)\")", key: "_format_version")
        } else if top.has("_format_version") {
            if let version = top.string("_format_version"), !Self.formatVersions.contains(version) {
                top.report("expected one of \"1.1\", \"2.1\", \"3.0\", got \"\(version)\"", key: "_format_version")
            }
        } else {
            top.ignore("_format_version")
            context.report("required field missing", at: "_format_version", node: nil)
        }
        top.ignore("_transform", "_workspace", "_info", "_comment", "_ignore")
        for section in Self.unsupportedSections { top.rejectUnsupported(section) }

        let proxy = top.mapping("proxy").map(ProxySettings.read) ?? ProxySettings()
        for element in top.list("services") {
            readService(element.node, path: element.path)
        }
        for element in top.list("routes") {
            readRoute(element.node, path: element.path, nestedIn: nil)
        }
        for element in top.list("plugins") {
            readPlugin(element.node, path: element.path, nestedScope: nil)
        }
        top.finish()

        let (orderedRoutes, orderedPlugins) = fileOrder()
        checkDuplicatePlugins(orderedPlugins, routes: orderedRoutes)
        return GatewayConfiguration(
            proxy: proxy,
            services: services.map(\.config),
            routes: orderedRoutes,
            plugins: orderedPlugins.map(\.config),
            digest: ""
        )
    }

    /// Routes and plugins sorted by their place in the file (services are already in file order); plugin
    /// scopes follow their routes to the new indices.
    private func fileOrder() -> ([RouteConfig], [(config: PluginConfig, node: Node)]) {
        func before(_ left: (node: Node, index: Int), _ right: (node: Node, index: Int)) -> Bool {
            let l = (left.node.mark?.line ?? 0, left.node.mark?.column ?? 0, left.index)
            let r = (right.node.mark?.line ?? 0, right.node.mark?.column ?? 0, right.index)
            return l < r
        }
        let order = routes.indices.sorted { before((routes[$0].node, $0), (routes[$1].node, $1)) }
        var newIndex = Array(repeating: 0, count: routes.count)
        for (new, old) in order.enumerated() { newIndex[old] = new }
        let orderedRoutes = order.map { routes[$0].config }
        let orderedPlugins = plugins.indices
            .sorted { before((plugins[$0].node, $0), (plugins[$1].node, $1)) }
            .map { index in
                var plugin = plugins[index]
                if case .route(let old) = plugin.config.scope { plugin.config.scope = .route(newIndex[old]) }
                return plugin
            }
        return (orderedRoutes, orderedPlugins)
    }

    /// Kong allows one instance of a plugin per service, per route and globally.
    private func checkDuplicatePlugins(_ plugins: [(config: PluginConfig, node: Node)], routes: [RouteConfig]) {
        var first: [String: String] = [:]
        for (config, node) in plugins {
            let target: String
            switch config.scope {
            case .global: target = "global"
            case .service(let index): target = services[index].config.location
            case .route(let index): target = routes[index].location
            }
            let key = "\(config.name) \(target)"
            if let original = first[key] {
                let what =
                    target == "global"
                    ? "duplicate global '\(config.name)' plugin"
                    : "duplicate '\(config.name)' plugin for \(target)"
                context.report(
                    "\(what) (first at \(original))",
                    at: config.location,
                    node: node
                )
            } else {
                first[key] = config.location
            }
        }
    }

    // MARK: - Shared checks

    /// Kong's name rule: letters, digits, `.`, `-`, `_` and `~`.
    func checkName(_ name: String, reader: ConfigReader, key: String = "name") {
        let valid = !name.isEmpty && name.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || ".-_~".contains($0) }
        if !valid {
            reader.report(
                "invalid name '\(name)': only letters, digits, '.', '-', '_' and '~' are allowed",
                key: key
            )
        }
    }

    /// Reports a second use of `name`, naming where it was first used.
    func checkUnique(
        _ name: String,
        in names: inout [String: String],
        kind: String,
        reader: ConfigReader,
        key: String = "name"
    ) {
        if let original = names[name] {
            reader.report("duplicate \(kind) '\(name)' (first at \(original))", key: key)
        } else {
            names[name] = reader.path
        }
    }
}
