/// What a plugin instance is attached to. The most specific enabled instance wins: route > service > global.
public enum PluginScope: Sendable, Equatable {
    /// Top-level plugin without `service` or `route`: applies to every route.
    case global
    /// Attached to `GatewayConfiguration.services[index]`: applies to that service's routes.
    case service(Int)
    /// Attached to `GatewayConfiguration.routes[index]`.
    case route(Int)
}

/// One plugin instance of the file. Only `ping-auth` exists; any other name is refused when loading.
public struct PluginConfig: Sendable, Equatable {
    /// Plugin name; always `"ping-auth"` after loading.
    public var name: String
    /// Kong `instance_name`; `nil` when absent. Unique among plugins; names the instance in logs, status
    /// and metrics labels.
    public var instanceName: String?
    /// `enabled`. Default `true`. A disabled instance is ignored, so a less specific one applies instead.
    public var enabled: Bool
    /// Where the instance applies.
    public var scope: PluginScope
    /// Kong `protocols`: the request protocols the instance runs for. Default `["grpc", "grpcs", "http",
    /// "https"]`, as Kong; an instance limited to `https` does not run for plain-http requests.
    public var protocols: [String]
    /// The validated `config` section.
    public var pingAuth: PingAuthConfig
    /// Where the instance is in the file, e.g. `services[0].plugins[0]`.
    public var location: String

    public init(
        name: String = "ping-auth",
        instanceName: String? = nil,
        enabled: Bool = true,
        scope: PluginScope,
        protocols: [String] = ["grpc", "grpcs", "http", "https"],
        pingAuth: PingAuthConfig,
        location: String = ""
    ) {
        self.name = name
        self.instanceName = instanceName
        self.enabled = enabled
        self.scope = scope
        self.protocols = protocols
        self.pingAuth = pingAuth
        self.location = location
    }
}
