import Benchmark
import NIOCore
import NIOHTTP1
import SidebandProtocol

/// A typical covered request: 10 headers and a 1 KiB JSON body.
private let headers: HTTPHeaders = [
    "Host": "api.example.com",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) benchmark",
    "Accept": "application/json",
    "Accept-Language": "en-GB,en;q=0.9",
    "Authorization": "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    "Content-Type": "application/json",
    "Content-Length": "1024",
    "X-Request-Id": "7f3c2a9e-5b1d-4c8e-9a0f-1e2d3c4b5a69",
    "X-Forwarded-For": "203.0.113.24",
    "Cookie": "session=abc123; theme=dark",
]

private let body: ByteBuffer = {
    var text = "{\"order\":{\"id\":17,\"items\":["
    var index = 0
    while text.utf8.count < 1000 {
        text += "{\"sku\":\"SKU-\(index)\",\"qty\":\(index % 5 + 1)},"
        index += 1
    }
    text += "{\"sku\":\"last\",\"qty\":1}]}}"
    text += String(repeating: " ", count: max(0, 1024 - text.utf8.count))
    return ByteBuffer(string: text)
}()

private func description() -> SidebandRequestDescription<HTTPHeaders> {
    SidebandRequestDescription(
        sourceIP: "203.0.113.24",
        sourcePort: 51722,
        method: "POST",
        scheme: "https",
        host: "api.example.com",
        port: 443,
        path: "/orders/17",
        query: "expand=items&expand=owner",
        httpVersion: "1.1",
        headers: headers,
        body: .bytes(body),
        clientCertificate: nil
    )
}

/// The allow answer PingAuthorize sends back: the request echoed, plus a state string.
private let allowAnswer: ByteBuffer = {
    var payload = ByteBuffer()
    SidebandPayloadWriter.writeRequest(description(), into: &payload)
    var text = String(buffer: payload)
    text.removeLast()
    text += ",\"state\":\"H4sIAAAAAAAAAK1TTW/aQBD9KwvnJNgYbOCYQ0uqRqoqRT0kFdqsx2brtdfdD8DK5b9nbAwhaZJLVVnyzs6bN/PmzR9fXxWKyvDZ8HpE\"}"
    return ByteBuffer(string: text)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        warmupIterations: 10,
        // Each sample runs the operation 1 000 times, so per-sample measuring overhead does not swamp
        // an operation of a few microseconds; figures are per operation.
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    Benchmark("SidebandRequestPayloadWriter (10 headers, 1 KiB JSON body)") { benchmark in
        let request = description()
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            blackHole(SidebandPayloadWriter.writeRequest(request, into: &buffer))
        }
    }

    Benchmark.registerParts()

    Benchmark("SidebandAllowAnswerParser (echoed request + state)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SidebandAnswerParser.parseRequestAnswer(allowAnswer))
        }
    }
}

/// Parts of the payload writer, to attribute its time.
extension Benchmark {
    static func registerParts() {
        Benchmark("Part: 1 KiB body as a JSON string") { benchmark in
            var buffer = ByteBufferAllocator().buffer(capacity: 4096)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                buffer.clear()
                blackHole(buffer.writeJSONString(body.readableBytesView))
            }
        }
        Benchmark("Part: 10 header values as JSON strings") { benchmark in
            var buffer = ByteBufferAllocator().buffer(capacity: 4096)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                buffer.clear()
                for (_, value) in headers { blackHole(buffer.writeJSONString(value)) }
            }
        }
    }
}
