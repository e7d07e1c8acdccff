import Logging
import MockPolicy
import NIOConcurrencyHelpers
import NIOCore

/// What every connection of one mock server shares: where answers come from, the current rules, the
/// decision log. Immutable but for the rules (swapped whole by hot reload under a lock and read once per
/// call, so a call sees one consistent rule set) and the logs, which lock.
final class MockPDPCore: Sendable {
    /// Where decisions come from.
    enum Mode: Sendable {
        /// The rules engine (`MockRules`).
        case rules
        /// The real provider, each exchange appended to the record file when there is one.
        case forward(Forwarder, RecordFile?)
        /// Recordings only.
        case replay(ReplayBook)
    }

    /// The rules in force: `rules` is nil in forward and replay modes without a rules file, and then
    /// `settings` are the defaults (no authentication, no faults).
    struct Active: Sendable {
        var rules: MockRules?
        var settings: MockSettings { self.rules?.settings ?? Self.defaultSettings }
        private static let defaultSettings = MockSettings()
    }

    let mode: Mode
    let logger: Logger
    let random: @Sendable () -> Double
    let maxBodyBytes: Int
    let decisionLog = DecisionLog()
    let connections = ConnectionRegistry()
    private let active: NIOLockedValueBox<Active>

    init(
        mode: Mode,
        rules: MockRules?,
        logger: Logger,
        random: @escaping @Sendable () -> Double,
        maxBodyBytes: Int
    ) {
        self.mode = mode
        self.logger = logger
        self.random = random
        self.maxBodyBytes = maxBodyBytes
        self.active = NIOLockedValueBox(Active(rules: rules))
    }

    /// The rules in force for one call.
    func current() -> Active {
        self.active.withLockedValue { $0 }
    }

    /// Re-reads the rules file after a change: swaps the rules in when the file is valid, otherwise logs
    /// every problem and keeps the rules in force.
    func reload(path: String) {
        do throws(MockRulesError) {
            let rules = try MockRules.load(path: path)
            self.active.withLockedValue { $0 = Active(rules: rules) }
            self.logger.info("rules reloaded (\(rules.ruleNames.count) rules)", metadata: ["mock_pdp.rules": "\(path)"])
        } catch {
            for problem in error.problems {
                self.logger.error("\(error.sourceName):\(problem)", metadata: ["mock_pdp.rules": "\(path)"])
            }
            self.logger.error(
                "\(path) is invalid: keeping the last good rules",
                metadata: ["mock_pdp.rules": "\(path)"]
            )
        }
    }
}

/// The open connections, so that closing the server also closes the keep-alive connections it accepted.
final class ConnectionRegistry: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    /// Tracks `channel` until it closes.
    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        self.channels.withLockedValue { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in
            self.channels.withLockedValue { _ = $0.removeValue(forKey: id) }
        }
    }

    /// Closes every tracked connection.
    func closeAll() async {
        let open = self.channels.withLockedValue { Array($0.values) }
        for channel in open {
            try? await channel.close()
        }
    }
}
