import DemoUpstream
import Foundation
import NIOPosix
import Testing
import TestSupport

/// The binary as an operator runs it.
@Suite(.serialized) struct ProcessTests {
    @Test func checkConfigExitsZeroForAValidFileAndOneWithEveryProblem() async throws {
        let valid = try writeTemporaryFile(
            """
            _format_version: "3.0"
            services: [{name: s, url: "http://127.0.0.1:9", routes: [{name: r, paths: ["/"]}]}]
            """
        )
        let invalid = try writeTemporaryFile(
            """
            _format_version: "3.0"
            services:
              - name: s
                url: ftp://127.0.0.1:9
                colour: blue
                routes: [{name: r, paths: ["nope"]}]
            """
        )
        defer {
            try? FileManager.default.removeItem(atPath: valid)
            try? FileManager.default.removeItem(atPath: invalid)
        }
        let ok = try GatewayProcess(arguments: ["check-config", valid])
        #expect(try await ok.waitForExit() == 0)
        let bad = try GatewayProcess(arguments: ["check-config", invalid])
        #expect(try await bad.waitForExit() == 1)
        let report = bad.stdout + bad.stderr
        #expect(report.contains("services[0].url"))
        #expect(report.contains("services[0].colour"))
        #expect(report.contains("services[0].routes[0].paths[0]"))
    }

    @Test func serveRefusesAnInvalidFileWithTheSameMessages() async throws {
        let invalid = try writeTemporaryFile("_format_version: \"3.0\"\nservices: [{name: s}]\n")
        defer { try? FileManager.default.removeItem(atPath: invalid) }
        let process = try GatewayProcess(arguments: ["serve", "--config", invalid])
        #expect(try await process.waitForExit() != 0)
        #expect(process.stderr.contains("services[0]"))
    }

    @Test func sigtermDuringASlowRequestCompletesItAndExitsZero() async throws {
        let upstream = try await EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        defer { Task { try? await upstream.close() } }
        let file = try writeTemporaryFile(
            """
            _format_version: "3.0"
            services: [{name: s, url: "http://127.0.0.1:\(upstream.port)", routes: [{name: r, paths: ["/"]}]}]
            """
        )
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = try GatewayProcess(arguments: ["serve", "--config", file, "--listen", "127.0.0.1:0"])
        defer { process.kill() }
        let url = try await process.waitForLine(startingWith: "listening on ")
        let port = try #require(Int(url.split(separator: ":").last ?? ""))

        let connection = try await RawHTTPConnection.connect(port: port)
        try await connection.send("GET /slow HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 1000\r\n\r\n")
        try await Task.sleep(for: .milliseconds(300))
        process.signal(SIGTERM)
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(try EchoedRequest(response).uri == "/slow")
        #expect(response.header("connection") == "close")
        #expect(try await process.waitForExit() == 0)
        // and it no longer accepts
        await #expect(throws: (any Error).self) {
            let late = try await RawHTTPConnection.connect(port: port)
            try await late.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            _ = try await late.readResponse(timeout: .seconds(2))
        }
    }

    @Test func sighupReloadsAGoodFileAndKeepsServingOnABadOne() async throws {
        let upstream = try await EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        defer { Task { try? await upstream.close() } }
        func config(_ path: String) -> String {
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services: [{name: s, url: "http://127.0.0.1:\(upstream.port)", routes: [{name: r, paths: ["\(path)"]}]}]
            """
        }
        let file = try writeTemporaryFile(config("/a"))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = try GatewayProcess(arguments: ["serve", "--config", file])
        defer { process.kill() }
        let url = try await process.waitForLine(startingWith: "listening on ")
        let port = try #require(Int(url.split(separator: ":").last ?? ""))
        func status(_ path: String) async throws -> Int {
            let connection = try await RawHTTPConnection.connect(port: port)
            defer { Task { await connection.close() } }
            try await connection.send("GET \(path) HTTP/1.1\r\nHost: h\r\n\r\n")
            return try await connection.readResponse().status
        }
        #expect(try await status("/b") == 404)

        try config("/b").write(toFile: file, atomically: true, encoding: .utf8)
        process.signal(SIGHUP)
        var reloaded = false
        for _ in 0..<100 where !reloaded {
            reloaded = try await status("/b") == 200
            if !reloaded { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(reloaded)

        try "_format_version: \"3.0\"\nservices: [{name: broken, url: 12}]\n".write(toFile: file, atomically: true, encoding: .utf8)
        process.signal(SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        #expect(process.isRunning)
        #expect(try await status("/b") == 200)
        #expect(process.stderr.contains("reload failed"))

        process.signal(SIGTERM)
        #expect(try await process.waitForExit() == 0)
    }
}
