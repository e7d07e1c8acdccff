public import Logging
import NIOConcurrencyHelpers

/// A log handler that keeps every line (message and metadata) at every level, for tests that assert what
/// is, or is never, logged.
public struct CapturingLogHandler: LogHandler {
    public final class Store: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        public init() {}
        public var all: [String] { self.lines.withLockedValue { $0 } }
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
