import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The recordings of a record file, ready to answer calls offline (replay mode).
///
/// Calls are matched by `ReplayKey` (phase + SHA-256 of the canonical payload; see there). When the same
/// call was recorded several times, the n-th matching call gets the n-th recorded answer and the last one
/// repeats after that, so a recorded sequence (a provider that started to rate-limit, say) replays in
/// order.
final class ReplayBook: Sendable {
    /// A recorded answer.
    struct Answer: Sendable {
        var status: Int
        var body: ByteBuffer
        var headers: [(name: String, value: String)]
    }

    private let answers: [ReplayKey: [Answer]]
    /// How many times each key has been answered.
    private let served = NIOLockedValueBox<[ReplayKey: Int]>([:])

    /// Number of recordings loaded.
    let count: Int

    init(exchanges: [RecordedExchange]) {
        var answers: [ReplayKey: [Answer]] = [:]
        for exchange in exchanges {
            answers[exchange.key, default: []].append(
                Answer(status: exchange.status, body: exchange.body, headers: exchange.headers)
            )
        }
        self.answers = answers
        self.count = exchanges.count
    }

    /// Reads a record file; every line must be a recording (blank lines are skipped).
    static func load(path: String) throws(MockPDPError) -> ReplayBook {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .replayFile(path: path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        var exchanges: [RecordedExchange] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            switch RecordedExchange.parse(line: ByteBuffer(bytes: line)) {
            case .success(let exchange):
                exchanges.append(exchange)
            case .failure(let error):
                throw .replayFile(path: path, line: lineNumber, message: error.message)
            }
        }
        return ReplayBook(exchanges: exchanges)
    }

    /// The answer for a call, nil when nothing was recorded for it.
    func answer(phase: MockDecisionRecord.Phase, payload: ByteBuffer) -> Answer? {
        let key = ReplayKey(phase: phase, payload: payload)
        guard let recorded = self.answers[key], !recorded.isEmpty else { return nil }
        let index = self.served.withLockedValue { served -> Int in
            let count = served[key, default: 0]
            served[key] = count + 1
            return min(count, recorded.count - 1)
        }
        return recorded[index]
    }
}
