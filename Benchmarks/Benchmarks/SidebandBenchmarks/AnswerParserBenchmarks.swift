import Benchmark
import NIOCore
import SidebandProtocol

extension Benchmark {
    /// The three answers a covered request can get: an allow (the request echoed with `state`), a deny, and
    /// the response phase's answer.
    static func registerAnswerParsers() {
        Benchmark("SidebandAnswerParser.allow") { benchmark in
            let answer = Fixtures.allowAnswer
            for _ in benchmark.scaledIterations {
                blackHole(try SidebandAnswerParser.parseRequestAnswer(answer))
            }
        }

        Benchmark("SidebandAnswerParser.deny") { benchmark in
            let answer = Fixtures.denyAnswer
            for _ in benchmark.scaledIterations {
                blackHole(try SidebandAnswerParser.parseRequestAnswer(answer))
            }
        }

        Benchmark("SidebandAnswerParser.response") { benchmark in
            let answer = Fixtures.responseAnswer
            for _ in benchmark.scaledIterations {
                blackHole(try SidebandAnswerParser.parseResponseAnswer(answer))
            }
        }
    }
}
