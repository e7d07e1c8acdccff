/// A loaded and validated configuration file: everything the gateway needs, with no references left to
/// resolve.
///
/// Cross references are indices: a route's `serviceIndex` points into `services`, a plugin's scope into
/// `services` or `routes`. The loader guarantees they are in range; code that builds a configuration by
/// hand must keep them so.
public struct GatewayConfiguration: Sendable, Equatable {
    /// The `proxy:` section, or all defaults when absent.
    public var proxy: ProxySettings
    /// Every service, in file order.
    public var services: [ServiceConfig]
    /// Every route, nested (`services[i].routes`) and top-level (`routes`), in the order they appear in
    /// the file. Each knows its service through `serviceIndex`.
    public var routes: [RouteConfig]
    /// Every plugin instance (global, service- and route-level), in the order they appear in the file.
    public var plugins: [PluginConfig]
    /// FNV-1a 64-bit hex digest of the file's bytes (16 lower-case hex digits): identifies the loaded
    /// revision in `/status`. Not a security hash.
    public var digest: String

    public init(
        proxy: ProxySettings = ProxySettings(),
        services: [ServiceConfig] = [],
        routes: [RouteConfig] = [],
        plugins: [PluginConfig] = [],
        digest: String = ""
    ) {
        self.proxy = proxy
        self.services = services
        self.routes = routes
        self.plugins = plugins
        self.digest = digest
    }

    /// The instance of plugin `named` that applies to `routes[routeIndex]`: the route's own, else its
    /// service's, else a global one. Disabled instances do not count, so disabling a route-level instance
    /// lets the service-level or global one apply (as Kong, which never loads disabled plugins).
    /// `nil` when none applies or `routeIndex` is out of range.
    public func effectivePlugin(named name: String, forRoute routeIndex: Int) -> PluginConfig? {
        guard routes.indices.contains(routeIndex) else { return nil }
        let serviceIndex = routes[routeIndex].serviceIndex
        var forService: PluginConfig?
        var global: PluginConfig?
        for plugin in plugins where plugin.enabled && plugin.name == name {
            switch plugin.scope {
            case .route(let index):
                if index == routeIndex { return plugin }
            case .service(let index):
                if index == serviceIndex, forService == nil { forService = plugin }
            case .global:
                if global == nil { global = plugin }
            }
        }
        return forService ?? global
    }
}
