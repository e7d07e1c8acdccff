import Yams

extension DocumentReader {
    /// The only plugin this gateway implements.
    static let pingAuthName = "ping-auth"

    /// Kong's `protocols_http` set, which `ping-auth` instances may narrow themselves to.
    static let pluginProtocols: Set<String> = ["grpc", "grpcs", "http", "https"]

    /// Reads one plugin instance. `nestedScope` is the service or route it is nested in; `nil` for the
    /// top-level `plugins` list, where `service` / `route` references (or neither: global) decide.
    func readPlugin(_ node: Node, path: String, nestedScope: PluginScope?) {
        guard let reader = ConfigReader(node, path: path, context: context) else { return }
        let name = reader.requiredString("name")
        reader.ignore("id", "tags", "created_at", "updated_at", "_comment", "_ignore")
        let isPingAuth = name == Self.pingAuthName
        if let name, !isPingAuth {
            reader.report("plugin '\(name)' is not supported (only \(Self.pingAuthName))", key: "name")
        }

        let instanceName = reader.string("instance_name")
        if let instanceName {
            checkName(instanceName, reader: reader, key: "instance_name")
            checkUnique(instanceName, in: &instanceNames, kind: "instance_name", reader: reader, key: "instance_name")
        }
        let enabled = reader.bool("enabled", default: true)
        let protocols = readProtocols(reader, allowed: Self.pluginProtocols)
        reader.rejectUnsupported("consumer", "consumer_group", "ordering")
        let scope = readScope(reader, nestedScope: nestedScope)

        var pingAuth = PingAuthConfig(serviceURL: "", sharedSecret: "", secretHeaderName: "")
        if isPingAuth {
            if let config = reader.mapping("config", resolvesVault: true) {
                pingAuth = PingAuthConfig.read(config)
            } else if !reader.has("config") {
                reader.ignore("config")
                reader.report(
                    "required field missing (service_url, shared_secret and secret_header_name)",
                    key: "config"
                )
            }
        } else {
            reader.ignore("config")  // an unknown plugin's config is not ours to judge
        }
        reader.finish()

        guard isPingAuth, let name, let scope else { return }
        plugins.append(
            (
                PluginConfig(
                    name: name,
                    instanceName: instanceName,
                    enabled: enabled,
                    scope: scope,
                    protocols: protocols ?? ["grpc", "grpcs", "http", "https"],
                    pingAuth: pingAuth,
                    location: path
                ),
                node
            )
        )
    }

    /// Nested plugins take their parent's scope and must not point elsewhere; top-level ones point at one
    /// service or one route (Kong's service-and-route combination is not supported), or are global.
    private func readScope(_ reader: ConfigReader, nestedScope: PluginScope?) -> PluginScope? {
        if let nestedScope {
            for key in ["service", "route"] where reader.has(key) {
                reader.ignore(key)
                reader.report("a nested plugin must not set '\(key)'", key: key)
            }
            return nestedScope
        }
        let service = EntityReference.read("service", from: reader)
        let route = EntityReference.read("route", from: reader)
        switch (service, route) {
        case (nil, nil):
            return .global
        case (let service?, nil):
            return resolveService(service, reader: reader).map { .service($0) }
        case (nil, let route?):
            return resolveRoute(route, reader: reader).map { .route($0) }
        case (.some, .some):
            reader.report("setting both 'service' and 'route' is not supported by ping-auth-proxy", key: "route")
            return nil
        }
    }
}
