import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// `/metrics` after known traffic, the per-phase latency headers, and the access log.
@Suite struct MetricsTests {
    /// A provider that allows by default, denies `/deny`, fails `/broken` and rate-limits `/limited`.
    static let script: RecordingPolicyProvider.Script = { call in
        let url = call.json["url"] as? String ?? ""
        guard call.path.hasSuffix("/sideband/request") else { return nil }
        if url.contains("/deny") {
            return .json(["response": ["response_code": "403", "headers": [], "body": "no"]])
        }
        if url.contains("/broken") { return .raw("oops", status: 500) }
        if url.contains("/limited") { return .raw("{}", status: 429, headers: [("Retry-After", "30")]) }
        return nil
    }

    @Test func countersAndHistogramsFollowKnownTraffic() async throws {
        try await PingAuthTests.withPolicy(
            proxy: #"listen: ["127.0.0.1:0"], status_listen: "127.0.0.1:0""#,
            script: Self.script
        ) { gateway, _, _ in
            for _ in 0..<3 { #expect(try await gateway.request("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n").status == 200) }
            for _ in 0..<2 { #expect(try await gateway.request("GET /deny HTTP/1.1\r\nHost: h\r\n\r\n").status == 403) }
            #expect(try await gateway.request("GET /broken HTTP/1.1\r\nHost: h\r\n\r\n").status == 502)
            #expect(try await gateway.request("GET /public/x HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
            // 429 from the provider opens the circuit; the next request is answered without a call.
            #expect(try await gateway.request("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n").status == 429)
            #expect(try await gateway.request("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n").status == 429)

            let metrics = try await Self.scrape(gateway)
            let covered = ["service": "s", "route": "covered"]
            #expect(metrics.value("kong_http_requests_total", covered.merging(["code": "200"]) { $1 }) == 3)
            #expect(metrics.value("kong_http_requests_total", covered.merging(["code": "403"]) { $1 }) == 2)
            #expect(metrics.value("kong_http_requests_total", covered.merging(["code": "502"]) { $1 }) == 1)
            #expect(metrics.value("kong_http_requests_total", covered.merging(["code": "429"]) { $1 }) == 2)
            #expect(metrics.value("kong_http_requests_total", ["service": "s", "route": "open", "code": "200"]) == 1)
            #expect(metrics.value("kong_request_latency_ms_count", covered) == 8)
            #expect(metrics.value("kong_kong_latency_ms_count", covered) == 8)
            #expect(metrics.value("kong_upstream_latency_ms_count", covered) == 3)
            #expect(metrics.value("kong_upstream_latency_ms_count", ["service": "s", "route": "open"]) == 1)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "allow"]) == 3)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "deny"]) == 2)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "error"]) == 1)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "circuit_open"]) == 2)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "fail_open"]) == 0)
            // Seven calls to /sideband/request (the last request never reached the provider), three to
            // /sideband/response.
            #expect(metrics.value("ping_auth_sideband_latency_ms_count", ["phase": "request"]) == 7)
            #expect(metrics.value("ping_auth_sideband_latency_ms_count", ["phase": "response"]) == 3)
            #expect(metrics.value("ping_auth_circuit_open", ["instance": "plugins[0]"]) == 1)
            // Kept-alive upstream connections (one pool per event loop, so one or two).
            #expect((metrics.value("ping_auth_upstream_connections", ["state": "idle"]) ?? 0) >= 1)
            #expect(metrics.lines.contains { $0.hasPrefix("# TYPE kong_request_latency_ms histogram") })
        }
    }

    @Test func providerDownCountsErrorsAndFailOpen() async throws {
        let closed = unusedPort()
        try await PingAuthTests.withPolicy(
            proxy: #"listen: ["127.0.0.1:0"], status_listen: "127.0.0.1:0""#,
            providerURL: { _ in "http://127.0.0.1:\(closed)" }
        ) { gateway, _, _ in
            for _ in 0..<2 { #expect(try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").status == 502) }
            let metrics = try await Self.scrape(gateway)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "error"]) == 2)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "allow"]) == 0)
            #expect(metrics.value("kong_http_requests_total", ["service": "s", "route": "covered", "code": "502"]) == 2)
            #expect(metrics.value("ping_auth_sideband_latency_ms_count", ["phase": "request"]) == 2)
            #expect(metrics.value("kong_upstream_latency_ms_count", ["service": "s", "route": "covered"]) == 0)
        }
        try await PingAuthTests.withPolicy(
            plugin: "fail_open: true",
            proxy: #"listen: ["127.0.0.1:0"], status_listen: "127.0.0.1:0""#,
            providerURL: { _ in "http://127.0.0.1:\(closed)" }
        ) { gateway, _, _ in
            #expect(try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
            let metrics = try await Self.scrape(gateway)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "fail_open"]) == 1)
            #expect(metrics.value("ping_auth_decisions_total", ["outcome": "error"]) == 0)
        }
    }

    @Test func unmatchedRequestsAreCountedWithEmptyLabels() async throws {
        try await withGateway({ upstream in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"], status_listen: "127.0.0.1:0"}
            services:
              - name: api
                url: http://127.0.0.1:\(upstream)
                routes: [{name: api, paths: ["/api"]}]
            """
        }) { gateway, _ in
            #expect(try await gateway.request("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n").status == 404)
            // Refused by the HTTP decoder before any route is known: counted too, as Kong counts them.
            #expect(try await gateway.request("GET /api HTTP/1.1\r\nHost: h\r\nNo colon here\r\n\r\n").status == 400)
            #expect(try await gateway.request("POST /api HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello").status == 200)
            let metrics = try await Self.scrape(gateway)
            #expect(metrics.value("kong_http_requests_total", ["service": "", "route": "", "code": "404"]) == 1)
            #expect(metrics.value("kong_http_requests_total", ["service": "", "route": "", "code": "400"]) == 1)
            #expect(metrics.value("kong_http_requests_total", ["service": "api", "route": "api", "code": "200"]) == 1)
            #expect(metrics.value("kong_bandwidth_bytes", ["service": "api", "route": "api", "direction": "ingress"]) == 5)
            #expect((metrics.value("kong_bandwidth_bytes", ["service": "api", "route": "api", "direction": "egress"]) ?? 0) > 0)
        }
    }

    @Test func coveredResponsesCarryTheLatencyOfEachSidebandPhase() async throws {
        try await PingAuthTests.withPolicy { gateway, _, _ in
            let allowed = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(allowed.status == 200)
            #expect(allowed.header("x-ping-auth-request-latency").flatMap(Int.init) != nil)
            #expect(allowed.header("x-ping-auth-response-latency").flatMap(Int.init) != nil)
            #expect(allowed.header("x-kong-upstream-latency").flatMap(Int.init) != nil)
            let open = try await gateway.request("GET /public HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(open.header("x-ping-auth-request-latency") == nil)
        }
        try await PingAuthTests.withPolicy(plugin: "skip_response_phase: true") { gateway, _, _ in
            let allowed = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(allowed.header("x-ping-auth-request-latency") != nil)
            #expect(allowed.header("x-ping-auth-response-latency") == nil)
        }
    }

    @Test func accessLogLinesHoldRouteStatusLatenciesAndCorrelationID() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("access-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jsonLog = directory.appendingPathComponent("access.json").path
        try await PingAuthTests.withPolicy(
            proxy: #"listen: ["127.0.0.1:0"], access_log: "\#(jsonLog)", access_log_format: json"#,
            script: Self.script
        ) { gateway, _, _ in
            #expect(try await gateway.request("GET /ok?q=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: t/1\r\n\r\n").status == 200)
            #expect(try await gateway.request("GET /deny HTTP/1.1\r\nHost: h\r\n\r\n").status == 403)
            let lines = try await Self.waitForLines(jsonLog, count: 2)
            let allowed = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(allowed["status"] as? Int == 200)
            #expect(allowed["route"] as? String == "covered")
            #expect(allowed["service"] as? String == "s")
            #expect(allowed["uri"] as? String == "/ok?q=1")
            #expect(allowed["user_agent"] as? String == "t/1")
            #expect(allowed["decision"] as? String == "allow")
            // The provider's Correlation-Id of its last answer.
            #expect((allowed["correlation_id"] as? String)?.hasPrefix("test-") == true)
            let latencies = try #require(allowed["latencies"] as? [String: Any])
            for key in ["request", "kong", "upstream", "sideband_request", "sideband_response"] {
                #expect(latencies[key] as? Double != nil, "latencies.\(key)")
            }
            let denied = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
            #expect(denied["status"] as? Int == 403)
            #expect(denied["decision"] as? String == "deny")
            #expect((denied["latencies"] as? [String: Any])?["upstream"] is NSNull)
            let whole = try String(contentsOfFile: jsonLog, encoding: .utf8)
            #expect(!whole.contains(PingAuthTests.environment["PAZ_SECRET"]!))
        }

        let textLog = directory.appendingPathComponent("access.log").path
        try await PingAuthTests.withPolicy(
            proxy: #"listen: ["127.0.0.1:0"], access_log: "\#(textLog)""#,
            script: Self.script
        ) { gateway, _, _ in
            #expect(try await gateway.request("GET /ok HTTP/1.1\r\nHost: h\r\nUser-Agent: a \"quoted\" agent\r\n\r\n").status == 200)
            let line = try #require(try await Self.waitForLines(textLog, count: 1).first)
            #expect(line.hasPrefix("127.0.0.1 - - ["))
            #expect(line.contains(#""GET /ok HTTP/1.1" 200 "#))
            #expect(line.contains(#""a \x22quoted\x22 agent""#))
            for field in ["service=s", "route=covered", "decision=allow", "correlation_id=test-"] {
                #expect(line.contains(" \(field)"), "\(field) in \(line)")
            }
            for field in ["latency_ms", "upstream_ms", "sideband_request_ms", "sideband_response_ms"] {
                let value = line.split(separator: " ").first { $0.hasPrefix("\(field)=") }?.split(separator: "=").last
                #expect(value.flatMap { Double($0) } != nil, "\(field) in \(line)")
            }
        }
    }

    // MARK: - Helpers

    static func scrape(_ gateway: GatewayHarness) async throws -> PrometheusText {
        let port = try #require(gateway.statusPort)
        let connection = try await RawHTTPConnection.connect(port: port)
        defer { Task { await connection.close() } }
        try await connection.send("GET /metrics HTTP/1.1\r\nHost: status\r\n\r\n")
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("text/plain") == true)
        return PrometheusText(response.bodyText)
    }

    /// The access log is written off the event loop: wait (bounded) for its lines.
    static func waitForLines(_ path: String, count: Int) async throws -> [String] {
        for _ in 0..<100 {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count { return lines }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("fewer than \(count) access log lines in \(path)")
        return []
    }
}

/// Prometheus text exposition, parsed just enough to look values up by name and labels.
struct PrometheusText {
    let lines: [String]

    init(_ text: String) {
        self.lines = text.split(separator: "\n").map(String.init)
    }

    /// The sample with exactly these labels; nil when there is none (every series these tests read is
    /// created with the configuration, so a zero is written out, never left absent).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in self.lines where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            guard series.prefix(while: { $0 != "{" }) == name, Self.labels(of: series) == labels else { continue }
            return Double(line[line.index(after: space)...])
        }
        return nil
    }

    private static func labels(of series: Substring) -> [String: String] {
        guard let open = series.firstIndex(of: "{"), series.hasSuffix("}") else { return [:] }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: open)..<series.index(before: series.endIndex)]
        while let equals = rest.firstIndex(of: "=") {
            let key = String(rest[..<equals]).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            var index = rest.index(equals, offsetBy: 2)  // past ="
            var value = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\" { index = rest.index(after: index) }
                value.append(rest[index])
                index = rest.index(after: index)
            }
            labels[key] = value
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : ""
        }
        return labels
    }
}
