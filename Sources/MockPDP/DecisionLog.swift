import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The last decisions, newest last, shared by every connection.
///
/// A ring of at most `capacity` records (the rules' `decision_log_size` at the time of each append, so a
/// reload that shrinks it takes effect on the next call). One short lock per call; never on a path that
/// waits.
final class DecisionLog: Sendable {
    private let records = NIOLockedValueBox(CircularBuffer<MockDecisionRecord>(initialCapacity: 16))

    /// Appends `record`, dropping the oldest ones beyond `capacity` (0 or less keeps nothing).
    func append(_ record: MockDecisionRecord, capacity: Int) {
        self.records.withLockedValue { records in
            records.append(record)
            while records.count > max(0, capacity) {
                records.removeFirst()
            }
        }
    }

    /// The kept records, oldest first.
    func snapshot() -> [MockDecisionRecord] {
        self.records.withLockedValue { Array($0) }
    }

    /// The kept records as a JSON array (ISO 8601 times, `latency_ms`), for `GET /_mock/decisions`.
    func json() -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and dates cannot fail.
        let data = (try? encoder.encode(self.snapshot())) ?? Data("[]".utf8)
        return ByteBuffer(bytes: data)
    }
}
