import Benchmark
import NIOCore
import NIOHTTP1
import SidebandProtocol

extension Benchmark {
    /// `RequestDiff.changes` on a parsed allow answer against what was described: the 10 header lines, the
    /// url parts and the 1 KiB body (compared byte for byte).
    static func registerRequestDiff() {
        Benchmark("RequestDiff.oneHeaderChangedOneAdded") { benchmark in
            let answer = Fixtures.modifyingAllow
            let headers = Fixtures.requestHeaders
            let body = SidebandBody.bytes(Fixtures.body)
            let query = Fixtures.query
            for _ in benchmark.scaledIterations {
                blackHole(
                    RequestDiff.changes(
                        sentHeaders: headers,
                        sentMethod: "POST",
                        sentScheme: "https",
                        sentHost: "api.example.com",
                        sentPort: 443,
                        sentPath: "/orders/17",
                        sentQuery: query,
                        sentBody: body,
                        answer: answer
                    )
                )
            }
        }

        Benchmark("RequestDiff.unchanged") { benchmark in
            let answer = Fixtures.unchangedAllow
            let headers = Fixtures.requestHeaders
            let body = SidebandBody.bytes(Fixtures.body)
            let query = Fixtures.query
            for _ in benchmark.scaledIterations {
                blackHole(
                    RequestDiff.changes(
                        sentHeaders: headers,
                        sentMethod: "POST",
                        sentScheme: "https",
                        sentHost: "api.example.com",
                        sentPort: 443,
                        sentPath: "/orders/17",
                        sentQuery: query,
                        sentBody: body,
                        answer: answer
                    )
                )
            }
        }
    }
}
