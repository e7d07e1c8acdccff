import Foundation
import Logging
import MockPDP
import MockPolicy
import NIOConcurrencyHelpers
import NIOPosix
import NIOSSL
import TestSupport

/// A configuration for tests: port 0, `rules` (YAML) when given, and a logger that discards everything
/// (tests that look at the logs set a `CapturingLogHandler.Store`'s).
func testConfiguration(rules: String? = nil) throws -> MockPDPServer.Configuration {
    var configuration = MockPDPServer.Configuration(
        port: 0,
        logger: Logger(label: "mock-pdp-test") { _ in SwiftLogNoOpLogHandler() }
    )
    if let rules {
        configuration.rules = try MockRules.parse(rules, sourceName: "test.yml")
    }
    return configuration
}

/// Starts a mock PDP with `rules` on 127.0.0.1:0, runs `body`, and closes the server even when `body`
/// throws.
func withMockPDP(rules: String, _ body: (MockPDPServer) async throws -> Void) async throws {
    try await withMockPDP(try testConfiguration(rules: rules), body)
}

/// Starts a mock PDP with `configuration`, runs `body`, and closes the server even when `body` throws.
func withMockPDP(
    _ configuration: MockPDPServer.Configuration,
    _ body: (MockPDPServer) async throws -> Void
) async throws {
    let server = try await MockPDPServer.start(configuration, group: MultiThreadedEventLoopGroup.singleton)
    do {
        try await body(server)
    } catch {
        await server.close()
        throw error
    }
    await server.close()
}

/// One sideband call on a fresh connection: `POST path` with `payload` and the given extra headers.
func call(
    _ server: MockPDPServer,
    path: String = "/sideband/request",
    payload: String,
    headers: [(String, String)] = [],
    tls: NIOSSLContext? = nil
) async throws -> HTTPTestResponse {
    let connection = try await RawHTTPConnection.connect(
        port: server.port,
        tls: tls,
        serverName: tls == nil ? nil : "localhost"
    )
    do {
        try await connection.send(sidebandRequest(path: path, payload: payload, headers: headers))
        let response = try await connection.readResponse()
        await connection.close()
        return response
    } catch {
        await connection.close()
        throw error
    }
}

/// The bytes of a `POST path` carrying `payload`, as a gateway writes it.
func sidebandRequest(path: String, payload: String, headers: [(String, String)] = [], method: String = "POST") -> String
{
    var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    for (name, value) in headers {
        text += "\(name): \(value)\r\n"
    }
    text += "Content-Length: \(payload.utf8.count)\r\n\r\n\(payload)"
    return text
}

/// A `/sideband/request` payload as the gateway writes it (SIDEBAND.md §2).
func requestPayload(
    method: String = "GET",
    path: String,
    headers: [(String, String)] = [("host", "api.example.com")],
    body: String = "",
    sourcePort: Int = 51722
) -> String {
    let headerList = headers.map { #"{"\#($0.0)":"\#($0.1)"}"# }.joined(separator: ",")
    let escapedBody = body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return #"{"source_ip":"203.0.113.24","source_port":\#(sourcePort),"method":"\#(method)","#
        + #""url":"https://api.example.com:443\#(path)","http_version":"1.1","headers":[\#(headerList)],"#
        + #""body":"\#(escapedBody)"}"#
}

/// A `/sideband/response` payload for an upstream answer to `GET path`, with `state` when given.
func responsePayload(path: String, status: Int = 200, body: String = "{}", state: String? = nil) -> String {
    let escapedBody = body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    var text =
        #"{"method":"GET","url":"https://api.example.com:443\#(path)","http_version":"1.1","#
        + #""response_code":"\#(status)","response_status":"OK","#
        + #""headers":[{"content-type":"application/json"},{"date":"\#(Date().timeIntervalSince1970)"}],"#
        + #""body":"\#(escapedBody)""#
    if let state {
        text += #","state":"\#(state)""#
    }
    return text + "}"
}

/// A fresh empty directory for files a test writes (rules, recordings).
func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("mock-pdp-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
