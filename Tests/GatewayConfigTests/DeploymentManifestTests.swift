import Foundation
import Testing
import Yams

@testable import GatewayConfig

/// The Docker and Kubernetes files under `Docker/`, checked as far as this machine can (it has no Docker
/// engine and no cluster): every YAML file parses, both gateway configurations load, and what must agree
/// across files does: ports, probe paths, object names, the shared secret's way into the environment,
/// the non-root user, and a termination grace period longer than the drain bound.
@Suite struct DeploymentManifestTests {
    /// `Tests/GatewayConfigTests/<this file>`, three levels up: the repository root.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let environment = ["PAZ_SHARED_SECRET": "x"]
    /// The image's default command; compose and the Deployment spell it out again.
    static let serveCommand = ["serve", "--config", "/etc/ping-auth-proxy/kong.yml"]

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func manifest(_ path: String) throws -> Node {
        try #require(try Yams.compose(yaml: text(path)), "\(path) is empty")
    }

    /// The ConfigMap's `kong.yml`, loaded as the pods load it.
    static func clusterConfiguration() throws -> GatewayConfiguration {
        let kong = try #require(try manifest("Docker/k8s/configmap.yaml")["data"]?["kong.yml"]?.string)
        return try ConfigurationLoader.parse(kong, environment: environment)
    }

    @Test func everyYamlFileUnderDockerIsOneParsableMapping() throws {
        let docker = Self.root.appendingPathComponent("Docker")
        let enumerator = try #require(FileManager.default.enumerator(at: docker, includingPropertiesForKeys: nil))
        var found: [String] = []
        for case let url as URL in enumerator where ["yml", "yaml"].contains(url.pathExtension) {
            let name = url.pathComponents.suffix(2).joined(separator: "/")
            let node = try Yams.compose(yaml: String(contentsOf: url, encoding: .utf8))
            #expect(node?.mapping != nil, "\(name) is not a YAML mapping")
            found.append(name)
        }
        let expected: Set = [
            "Docker/docker-compose.yml", "Docker/kong.yml", "k8s/configmap.yaml", "k8s/deployment.yaml",
            "k8s/secret.yaml", "k8s/service.yaml", "k8s/hpa.yaml",
        ]
        #expect(Set(found).isSuperset(of: expected), "found \(found.sorted())")
    }

    @Test func composeRunsGatewayMockPDPAndUpstreamFromOneImageOnOneNetwork() throws {
        let compose = try Self.manifest("Docker/docker-compose.yml")
        let services = try #require(compose["services"]?.mapping)
        #expect(Set(services.keys.compactMap(\.string)) == ["gateway", "mock-pdp", "upstream"])
        let gateway = try #require(compose.at("services.gateway"))
        let pdp = try #require(compose.at("services.mock-pdp"))
        let upstream = try #require(compose.at("services.upstream"))

        #expect(gateway["build"]?["context"]?.string == "..")
        #expect(gateway["build"]?["dockerfile"]?.string == "Docker/Dockerfile")
        let image = try #require(gateway["image"]?.string)
        #expect(pdp["image"]?.string == image && upstream["image"]?.string == image)
        let networks = try #require(gateway["networks"]?.array(of: String.self))
        #expect(networks.count == 1)
        #expect(services.values.allSatisfy { $0["networks"]?.array(of: String.self) == networks })

        #expect(gateway["command"]?.array(of: String.self) == Self.serveCommand)
        #expect(gateway["ports"]?.array(of: String.self) == ["8000:8000", "8100:8100"])
        let volumes = gateway["volumes"]?.array(of: String.self) ?? []
        #expect(volumes.contains("./kong.yml:/etc/ping-auth-proxy/kong.yml:ro"))
        #expect(gateway["environment"]?["PAZ_SHARED_SECRET"]?.string?.isEmpty == false)
        let healthcheck = try #require(gateway["healthcheck"]?["test"]?.array(of: String.self))
        #expect(healthcheck.first == "CMD")
        #expect(healthcheck.contains("http://127.0.0.1:8100/status/ready"))
        let grace = try #require(gateway["stop_grace_period"]?.string)
        #expect(grace.hasSuffix("s") && (Int(grace.dropLast()) ?? 0) * 1000 > ProxySettings().drainTimeoutMs)

        let pdpCommand = [
            "mock-pdp", "--rules", "/etc/ping-auth-proxy/policies/default.yml", "--listen", "0.0.0.0:9100",
        ]
        #expect(pdp["command"]?.array(of: String.self) == pdpCommand)
        let pdpVolumes = pdp["volumes"]?.array(of: String.self) ?? []
        #expect(pdpVolumes.contains("../Config/policies:/etc/ping-auth-proxy/policies:ro"))
        let rules = Self.root.appendingPathComponent("Config/policies/default.yml").path
        #expect(FileManager.default.fileExists(atPath: rules))
        #expect(
            upstream["command"]?.array(of: String.self) == ["demo-upstream", "--host", "0.0.0.0", "--port", "9000"]
        )
    }

    @Test func composeGatewayConfigurationSendsDemoThroughTheMockPDPToTheUpstream() throws {
        let config = try ConfigurationLoader.parse(Self.text("Docker/kong.yml"), environment: Self.environment)
        #expect(config.proxy.listen == [ListenAddress(host: "0.0.0.0", port: 8000)])
        #expect(config.proxy.statusListen == ListenAddress(host: "0.0.0.0", port: 8100))
        let service = try #require(config.services.first)
        #expect(service.host == "upstream" && service.port == 9000)
        let route = try #require(config.routes.first)
        #expect(route.paths == ["/demo"])
        let plugin = try #require(config.effectivePlugin(named: "ping-auth", forRoute: 0))
        #expect(plugin.pingAuth.serviceURL == "http://mock-pdp:9100")
        #expect(plugin.pingAuth.sharedSecret == "x")
    }

    @Test func deploymentProbesTheStatusListenerAndOutlastsTheDrain() throws {
        let deployment = try Self.manifest("Docker/k8s/deployment.yaml")
        let config = try Self.clusterConfiguration()
        let pod = try #require(deployment.at("spec.template.spec"))
        let container = try #require(pod.at("containers.0"))

        #expect(deployment["apiVersion"]?.string == "apps/v1" && deployment["kind"]?.string == "Deployment")
        #expect(deployment.at("spec.replicas")?.int == 2)
        #expect(deployment.at("spec.selector.matchLabels") == deployment.at("spec.template.metadata.labels"))
        #expect(container["args"]?.array(of: String.self) == Self.serveCommand)

        #expect(container["readinessProbe"]?["httpGet"]?["path"]?.string == "/status/ready")
        #expect(container["readinessProbe"]?["httpGet"]?["port"]?.int == 8100)
        #expect(container["livenessProbe"]?["httpGet"]?["path"]?.string == "/status")
        #expect(container["livenessProbe"]?["httpGet"]?["port"]?.int == 8100)
        #expect(config.proxy.statusListen?.port == 8100)
        #expect(config.proxy.listen.map(\.port) == [8000])
        let ports = container["ports"]?.array().compactMap { $0["containerPort"]?.int }
        #expect(ports.map(Set.init) == [8000, 8100])
        let annotations = deployment.at("spec.template.metadata.annotations")
        #expect(annotations?["prometheus.io/port"]?.string == String(config.proxy.statusListen?.port ?? 0))
        #expect(annotations?["prometheus.io/path"]?.string == "/metrics")

        // SIGKILL comes after the grace period: the preStop pause plus the whole drain must fit inside it.
        let grace = try #require(pod["terminationGracePeriodSeconds"]?.int)
        let pause = container["lifecycle"]?["preStop"]?["exec"]?["command"]?.array(of: String.self).last
        let pauseSeconds = pause.flatMap { Int($0) } ?? 0
        #expect(grace > 30)
        #expect(grace * 1000 > pauseSeconds * 1000 + config.proxy.drainTimeoutMs)

        #expect(container["resources"]?["requests"]?["cpu"]?.string == "250m")
        #expect(container["resources"]?["requests"]?["memory"]?.string == "64Mi")
        #expect(container["resources"]?["limits"]?["memory"]?.string == "256Mi")
        #expect(pod["securityContext"]?["runAsNonRoot"]?.bool == true)
        #expect(container["securityContext"]?["readOnlyRootFilesystem"]?.bool == true)
        #expect(container["securityContext"]?["allowPrivilegeEscalation"]?.bool == false)
    }

    @Test func deploymentMountsTheConfigMapAndTakesTheSharedSecretFromTheSecret() throws {
        let deployment = try Self.manifest("Docker/k8s/deployment.yaml")
        let configMap = try Self.manifest("Docker/k8s/configmap.yaml")
        let secret = try Self.manifest("Docker/k8s/secret.yaml")
        let pod = try #require(deployment.at("spec.template.spec"))
        let container = try #require(pod.at("containers.0"))

        #expect(configMap["kind"]?.string == "ConfigMap" && secret["kind"]?.string == "Secret")
        let mounts = container["volumeMounts"]?.array() ?? []
        let mount = try #require(mounts.first { $0["mountPath"]?.string == "/etc/ping-auth-proxy" })
        let volumes = pod["volumes"]?.array() ?? []
        let volume = try #require(volumes.first { $0["name"] == mount["name"] })
        #expect(volume["configMap"]?["name"]?.string == configMap.at("metadata.name")?.string)

        let variables = container["env"]?.array() ?? []
        let variable = try #require(variables.first { $0["name"]?.string == "PAZ_SHARED_SECRET" })
        let reference = try #require(variable["valueFrom"]?["secretKeyRef"])
        #expect(reference["name"]?.string == secret.at("metadata.name")?.string)
        let key = try #require(reference["key"]?.string)
        #expect(secret["stringData"]?[key]?.string?.isEmpty == false)

        let kong = try #require(configMap["data"]?["kong.yml"]?.string)
        #expect(kong.contains("{vault://env/PAZ_SHARED_SECRET}"))
        let config = try ConfigurationLoader.parse(kong, environment: Self.environment)
        #expect(!config.plugins.isEmpty)
        #expect(config.plugins.allSatisfy { $0.pingAuth.sharedSecret == "x" })
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader.parse(kong, environment: [:]) }
    }

    @Test func serviceAndAutoscalerTargetTheDeployment() throws {
        let deployment = try Self.manifest("Docker/k8s/deployment.yaml")
        let service = try Self.manifest("Docker/k8s/service.yaml")
        let hpa = try Self.manifest("Docker/k8s/hpa.yaml")

        #expect(service["kind"]?.string == "Service" && service.at("spec.type")?.string == "ClusterIP")
        #expect(service.at("spec.selector") == deployment.at("spec.template.metadata.labels"))
        #expect(service.at("spec.ports.0.port")?.int == 80 && service.at("spec.ports.0.targetPort")?.int == 8000)

        #expect(hpa["apiVersion"]?.string == "autoscaling/v2")
        #expect(hpa["kind"]?.string == "HorizontalPodAutoscaler")
        #expect(hpa.at("spec.scaleTargetRef.kind")?.string == "Deployment")
        #expect(hpa.at("spec.scaleTargetRef.name")?.string == deployment.at("metadata.name")?.string)
        #expect(hpa.at("spec.minReplicas")?.int == 2 && hpa.at("spec.maxReplicas")?.int == 10)
        #expect(hpa.at("spec.metrics.0.type")?.string == "Resource")
        #expect(hpa.at("spec.metrics.0.resource.name")?.string == "cpu")
        #expect(hpa.at("spec.metrics.0.resource.target.type")?.string == "Utilization")
        #expect(hpa.at("spec.metrics.0.resource.target.averageUtilization")?.int == 70)
    }

    @Test func dockerfileCommandPortsAndUserMatchComposeKubernetesAndReadme() throws {
        let dockerfile = try Self.text("Docker/Dockerfile")
        let lines = dockerfile.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("FROM swift:6.3-") && $0.hasSuffix(" AS build") })
        #expect(dockerfile.contains("swift build -c release --static-swift-stdlib --product ping-auth-proxy"))
        #expect(lines.contains(#"ENTRYPOINT ["ping-auth-proxy"]"#))
        #expect(lines.contains(#"CMD ["serve", "--config", "/etc/ping-auth-proxy/kong.yml"]"#))
        #expect(lines.contains("EXPOSE 8000 8100"))
        let healthcheck = try #require(dockerfile.range(of: "HEALTHCHECK "))
        #expect(dockerfile[healthcheck.upperBound...].contains("http://127.0.0.1:8100/status/ready"))

        // The runtime user: numeric (runAsNonRoot can check it), not root, and the one the Deployment sets.
        let user = try #require(lines.last { $0.hasPrefix("USER ") })
        let uid = try #require(Int(user.dropFirst("USER ".count).prefix { $0 != ":" }))
        #expect(uid != 0)
        let deployment = try Self.manifest("Docker/k8s/deployment.yaml")
        #expect(deployment.at("spec.template.spec.securityContext.runAsUser")?.int == uid)

        let ignored = try Self.text(".dockerignore").split(separator: "\n")
        #expect(ignored.contains(".build*") && ignored.contains(".git"))

        let readme = try Self.text("README.md")
        let hasSection = readme.contains("## Running with Docker and on Kubernetes")
        let publishesPorts = readme.contains("-p 8000:8000 -p 8100:8100")
        #expect(hasSection, "README.md has no 'Running with Docker and on Kubernetes' section")
        #expect(publishesPorts, "README.md's docker run does not publish the ports the Dockerfile exposes")
    }
}

extension Node {
    /// The node at a dotted path, `"spec.template.spec.containers.0.args"`; a number indexes a sequence.
    /// Keys that contain dots (`kong.yml`, label names) are read with `node["kong.yml"]` instead.
    fileprivate func at(_ path: String) -> Node? {
        path.split(separator: ".").reduce(Optional(self)) { node, key in node?[String(key)] }
    }
}
