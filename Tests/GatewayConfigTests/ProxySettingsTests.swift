import Foundation
import Testing

@testable import GatewayConfig

@Suite struct ProxySettingsTests {
    @Test func everyProxyFieldIsRead() throws {
        let yaml = """
            _format_version: "3.0"
            proxy:
              listen: ["127.0.0.1:8000", "[::1]:8001"]
              status_listen: "127.0.0.1:8100"
              trusted_ips: ["10.0.0.0/8"]
              real_ip_header: X-Forwarded-For
              real_ip_recursive: true
              client_timeout_ms: 1000
              keepalive_timeout_ms: 0
              max_header_bytes: 8192
              max_headers: 50
              max_body_bytes: 0
              max_connections: 10
              latency_headers: false
              drain_timeout_ms: 500
              upstream_keepalive_pool_size: 0
              upstream_keepalive_idle_timeout_ms: 1000
              upstream_keepalive_max_requests: 0
              upstream_max_connections: 16
              log_level: warn
              worker_threads: 3
            """
        let proxy = try ConfigFixtures.load(yaml).proxy
        #expect(proxy.workerThreads == 3)
        #expect(proxy.listen == [ListenAddress(host: "127.0.0.1", port: 8000), ListenAddress(host: "::1", port: 8001)])
        #expect(proxy.statusListen == ListenAddress(host: "127.0.0.1", port: 8100))
        #expect(proxy.trustedIPs == [IPRange.parse("10.0.0.0/8")!])
        #expect(proxy.realIPHeader == "x-forwarded-for")
        #expect(proxy.realIPRecursive)
        #expect(proxy.clientTimeoutMs == 1000)
        #expect(proxy.keepaliveTimeoutMs == 0)
        #expect(proxy.maxHeaderBytes == 8192)
        #expect(proxy.maxHeaders == 50)
        #expect(proxy.maxBodyBytes == 0)
        #expect(proxy.maxConnections == 10)
        #expect(proxy.latencyHeaders == false)
        #expect(proxy.drainTimeoutMs == 500)
        #expect(proxy.upstreamKeepalivePoolSize == 0)
        #expect(proxy.upstreamKeepaliveIdleTimeoutMs == 1000)
        #expect(proxy.upstreamKeepaliveMaxRequests == 0)
        #expect(proxy.upstreamMaxConnections == 16)
        #expect(proxy.logLevel == "warning")
    }

    @Test func tlsPathsAreResolvedAgainstTheConfigurationDirectory() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gateway-config-tests-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["cert.pem", "key.pem", "ca.pem"] {
            try Data("-----BEGIN-----\n".utf8).write(to: directory.appendingPathComponent(name))
        }
        let yaml = """
            _format_version: "3.0"
            proxy:
              listen: ["127.0.0.1:8443 ssl"]
              tls: {certificate: cert.pem, key: ./key.pem, client_ca: \(directory.path)/ca.pem}
            """
        let configPath = directory.appendingPathComponent("kong.yml")
        try Data(yaml.utf8).write(to: configPath)

        let proxy = try ConfigurationLoader.load(path: configPath.path, environment: [:]).proxy
        let base = directory.standardizedFileURL.path
        #expect(proxy.listen == [ListenAddress(host: "127.0.0.1", port: 8443, ssl: true)])
        #expect(
            proxy.tls
                == TLSSettings(certificate: base + "/cert.pem", key: base + "/key.pem", clientCA: base + "/ca.pem")
        )
    }

    @Test func sslListenerRequiresTLS() {
        expectProblem(
            "_format_version: \"3.0\"\nproxy:\n  listen: [\"0.0.0.0:8443 ssl\"]\n",
            at: "proxy.listen",
            "an ssl listener requires proxy.tls with certificate and key"
        )
    }

    @Test func tlsFilesMustExist() {
        let yaml = """
            _format_version: "3.0"
            proxy:
              tls: {certificate: /nonexistent/cert.pem}
            """
        let problems = ConfigFixtures.problems(yaml)
        #expect(ConfigFixtures.has(problems, path: "proxy.tls.certificate", "file not found: /nonexistent/cert.pem"))
        #expect(ConfigFixtures.has(problems, path: "proxy.tls.key", "required field missing"))
    }

    @Test func invalidListenAddressIsExplained() {
        expectProblem(
            "_format_version: \"3.0\"\nproxy:\n  listen: [\"::1:8000\"]\n",
            at: "proxy.listen[0]",
            "invalid listen address '::1:8000': write IPv6 addresses in brackets"
        )
    }

    @Test func emptyListenIsRefused() {
        expectProblem("_format_version: \"3.0\"\nproxy:\n  listen: []\n", at: "proxy.listen", "must not be empty")
    }

    @Test func invalidTrustedIPIsNamed() {
        expectProblem(
            "_format_version: \"3.0\"\nproxy:\n  trusted_ips: [\"10.0.0.0/8\", \"10.0.0.0/40\"]\n",
            at: "proxy.trusted_ips[1]",
            "'10.0.0.0/40' is not an IP address or CIDR range"
        )
    }

    @Test func realIPHeaderIsOneOfTwo() {
        expectProblem(
            "_format_version: \"3.0\"\nproxy:\n  real_ip_header: x-client-ip\n",
            at: "proxy.real_ip_header",
            "expected x-real-ip or x-forwarded-for"
        )
    }

    @Test func logLevelIsChecked() {
        expectProblem(
            "_format_version: \"3.0\"\nproxy:\n  log_level: verbose\n",
            at: "proxy.log_level",
            "expected one of trace, debug, info, notice, warning, error, critical, got \"verbose\""
        )
    }

    @Test func accessLogDestinationAndFormat() throws {
        func proxy(_ fields: String) throws -> ProxySettings {
            try ConfigFixtures.load("_format_version: \"3.0\"\nproxy: {\(fields)}\n", baseDirectory: "/etc/gateway").proxy
        }
        #expect(try proxy("").accessLog == .stdout)
        #expect(try proxy("").accessLogFormat == .text)
        #expect(try proxy("access_log: off").accessLog == .off)
        #expect(try proxy("access_log: /dev/stderr").accessLog == .stderr)
        #expect(try proxy("access_log: logs/access.log").accessLog == .file("/etc/gateway/logs/access.log"))
        #expect(try proxy("access_log: /var/log/a.log, access_log_format: JSON").accessLogFormat == .json)
        expectProblem(
            "_format_version: \"3.0\"\nproxy:\n  access_log_format: xml\n",
            at: "proxy.access_log_format",
            "expected text or json, got \"xml\""
        )
    }

    @Test func unknownProxyFieldIsReported() {
        expectProblem(
            "_format_version: \"3.0\"\nproxy:\n  max_body_size: 10\n",
            at: "proxy.max_body_size",
            "unknown field"
        )
    }
}
