import Foundation
import Glibc
import NIOConcurrencyHelpers

/// The real `ping-auth-proxy` binary run as a child process, for what only a process can show: exit
/// codes, signals, what it prints.
public final class GatewayProcess: Sendable {
    private let process: Process
    private let output: NIOLockedValueBox<(stdout: String, stderr: String)>

    /// The built executable next to the test bundle (`swift build` / `swift test` put both in one folder).
    public static func executablePath() throws -> String {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["PING_AUTH_PROXY_BINARY"] { candidates.append(override) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("ping-auth-proxy").path)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/.build/debug/ping-auth-proxy")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestError("ping-auth-proxy binary not found (looked in \(candidates)); run `swift build` first")
    }

    public init(arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executablePath())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        let output = NIOLockedValueBox((stdout: "", stderr: ""))
        stdoutPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.withLockedValue { $0.stdout += String(decoding: data, as: UTF8.self) }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.withLockedValue { $0.stderr += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        self.process = process
        self.output = output
    }

    public var stdout: String { self.output.withLockedValue { $0.stdout } }
    public var stderr: String { self.output.withLockedValue { $0.stderr } }
    public var isRunning: Bool { self.process.isRunning }

    /// Waits for a stdout line starting with `prefix` and returns the rest of it.
    public func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            let lines = self.stdout.split(separator: "\n")
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count))
            }
            if !self.process.isRunning {
                throw TestError("process exited (\(self.process.terminationStatus)): \(self.stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestError("no line starting with '\(prefix)' within \(timeout); stdout: \(self.stdout) stderr: \(self.stderr)")
    }

    public func signal(_ signal: Int32) {
        Glibc.kill(self.process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status; kills it after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while self.process.isRunning {
            if clock.now >= deadline {
                self.process.terminate()
                throw TestError("process did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // let the pipes drain
        try await Task.sleep(for: .milliseconds(50))
        return self.process.terminationStatus
    }

    public func kill() {
        if self.process.isRunning { self.process.terminate() }
    }
}

/// A temporary file for a configuration, removed by the caller's `defer`.
public func writeTemporaryFile(_ contents: String, suffix: String = ".yml") throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("ping-auth-proxy-\(UUID().uuidString)\(suffix)").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
