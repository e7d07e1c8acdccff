/// Why `MockPDPServer.start` refused a configuration or could not read one of its files.
///
/// Rules files have their own error, `MockRulesError` (thrown as is, with every problem and its place).
public struct MockPDPError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case conflictingModes(String)
        case noRules
        case recordWithoutForward
        case invalidForwardURL(String)
        case replayFile(path: String, line: Int?, message: String)
        case recordFile(path: String, message: String)
        case tls(String)
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// Two sources of answers were given at once (e.g. `replayFrom` with `forwardTo`, or `rules` with
    /// `rulesPath`).
    public static func conflictingModes(_ detail: String) -> MockPDPError { .init(.conflictingModes(detail)) }
    /// Neither rules nor a replay file nor a provider to forward to.
    public static let noRules = MockPDPError(.noRules)
    /// `recordTo` without `forwardTo`: there is nothing to record.
    public static let recordWithoutForward = MockPDPError(.recordWithoutForward)
    /// `forwardTo` is not an `http(s)://host[:port][/prefix]` URL.
    public static func invalidForwardURL(_ url: String) -> MockPDPError { .init(.invalidForwardURL(url)) }
    /// The replay file cannot be read, or one of its lines (1-based) is not a recording.
    public static func replayFile(path: String, line: Int?, message: String) -> MockPDPError {
        .init(.replayFile(path: path, line: line, message: message))
    }
    /// The record file cannot be opened for appending.
    public static func recordFile(path: String, message: String) -> MockPDPError {
        .init(.recordFile(path: path, message: message))
    }
    /// The TLS certificate or key cannot be loaded.
    public static func tls(_ detail: String) -> MockPDPError { .init(.tls(detail)) }

    /// Bounded, for metric labels and tests.
    public var shortDescription: String {
        switch self.kind {
        case .conflictingModes: "conflicting_modes"
        case .noRules: "no_rules"
        case .recordWithoutForward: "record_without_forward"
        case .invalidForwardURL: "invalid_forward_url"
        case .replayFile: "replay_file"
        case .recordFile: "record_file"
        case .tls: "tls"
        }
    }

    public var description: String {
        switch self.kind {
        case .conflictingModes(let detail):
            "mock-pdp: conflicting options: \(detail)"
        case .noRules:
            "mock-pdp: no rules: give a rules file, rules, a replay file or a provider to forward to"
        case .recordWithoutForward:
            "mock-pdp: recording needs a provider to forward to (--forward-to)"
        case .invalidForwardURL(let url):
            "mock-pdp: cannot forward to \(url): expected http(s)://host[:port][/prefix]"
        case .replayFile(let path, let line, let message):
            "\(path)\(line.map { ":\($0)" } ?? ""): \(message)"
        case .recordFile(let path, let message):
            "\(path): cannot record: \(message)"
        case .tls(let detail):
            "mock-pdp: TLS: \(detail)"
        }
    }
}
