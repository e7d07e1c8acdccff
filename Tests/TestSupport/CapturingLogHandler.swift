public import Logging
import NIOConcurrencyHelpers

/// A log handler that keeps every line (message and metadata) at every level, for tests that assert what
/// is, or is never, logged.
public struct CapturingLogHandler: LogHandler {
    public final class Store: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        public init() {}
        public var all: [String] { self.lines.withLockedValue { $0 } }

        /// Whether any line (message or metadata) contains `text`.
        public func contains(_ text: String) -> Bool {
            self.all.contains { $0.contains(text) }
        }

        /// A logger at `.trace` that writes into this store.
        public func logger(label: String = "test") -> Logger {
            var logger = Logger(label: label) { _ in CapturingLogHandler(store: self) }
            logger.logLevel = .trace
            return logger
        }
        func append(_ line: String) { self.lines.withLockedValue { $0.append(line) } }
    }

    public let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(store: Store) {
        self.store = store
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        self.store.append("\(event.level) \(event.message) \(merged)")
    }
}
