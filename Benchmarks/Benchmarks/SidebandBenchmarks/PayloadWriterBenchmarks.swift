import Benchmark
import NIOCore
import NIOHTTP1
import SidebandProtocol

extension Benchmark {
    /// The two payloads written per covered request, and the parts of the request payload's time. Names
    /// without spaces: the gated ones are also file names in `Thresholds/`.
    static func registerPayloadWriters() {
        Benchmark("SidebandPayloadWriter.request", configuration: .zeroAllocations) { benchmark in
            let request = Fixtures.requestDescription()
            var buffer = ByteBufferAllocator().buffer(capacity: 4096)
            // One write before measuring grows the buffer to its working size (the escaper reserves 6 bytes
            // per body byte): growing the output buffer is allowed, the steady state must not allocate.
            SidebandPayloadWriter.writeRequest(request, into: &buffer)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                buffer.clear()
                blackHole(SidebandPayloadWriter.writeRequest(request, into: &buffer))
            }
        }

        Benchmark("SidebandPayloadWriter.response", configuration: .zeroAllocations) { benchmark in
            let url = Fixtures.urlSlice
            let headers = Fixtures.responseHeaders
            let body = SidebandBody.bytes(Fixtures.body)
            let context = SidebandPayloadWriter.ResponseContext.state(Fixtures.state)
            var buffer = ByteBufferAllocator().buffer(capacity: 4096)
            SidebandPayloadWriter.writeResponse(
                method: "POST",
                url: url,
                httpVersion: "1.1",
                statusCode: 200,
                headers: headers,
                body: body,
                context: context,
                into: &buffer
            )
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                buffer.clear()
                SidebandPayloadWriter.writeResponse(
                    method: "POST",
                    url: url,
                    httpVersion: "1.1",
                    statusCode: 200,
                    headers: headers,
                    body: body,
                    context: context,
                    into: &buffer
                )
                blackHole(buffer.writerIndex)
            }
        }

        Benchmark("SidebandPayloadWriter.part.body1KiB") { benchmark in
            let body = Fixtures.body
            var buffer = ByteBufferAllocator().buffer(capacity: 4096)
            buffer.writeJSONString(body.readableBytesView)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                buffer.clear()
                blackHole(buffer.writeJSONString(body.readableBytesView))
            }
        }

        Benchmark("SidebandPayloadWriter.part.headerValues10") { benchmark in
            let headers = Fixtures.requestHeaders
            var buffer = ByteBufferAllocator().buffer(capacity: 4096)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                buffer.clear()
                for (_, value) in headers { blackHole(buffer.writeJSONString(value)) }
            }
        }
    }
}
