import GatewayConfig
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SidebandProtocol

/// The access log: one line per request, written off the event loops.
///
/// Event loops format their line (into a per-loop buffer) and append it to a shared queue under a short
/// lock; a thread of NIO's shared blocking-I/O pool writes the queue to the file descriptor (one drain
/// at a time, so lines keep their order). A slow disk or a
/// blocked stdout pipe therefore never stalls request handling: past `maxQueuedBytes` lines are dropped
/// and counted (`ping_auth_access_log_dropped_total`) instead.
final class AccessLog: Sendable {
    let format: AccessLogFormat
    private let descriptor: CInt
    private let ownsDescriptor: Bool
    private let queue = NIOLockedValueBox(Queue())
    /// Held while writing, so a drain at shutdown and one on the pool never interleave their lines.
    private let writing = NIOLock()
    private let onDrop: @Sendable (Int) -> Void
    static let maxQueuedBytes = 4 * 1024 * 1024

    private struct Queue {
        var bytes: [UInt8] = []
        var draining = false
        var dropped = 0
        var closed = false
    }

    struct OpenError: Error, CustomStringConvertible {
        var path: String
        var errno: CInt
        var description: String { "cannot open access log \(self.path): \(String(cString: strerror(self.errno)))" }
    }

    /// nil when the destination is `off`.
    init?(destination: AccessLogDestination, format: AccessLogFormat, onDrop: @escaping @Sendable (Int) -> Void) throws {
        switch destination {
        case .off:
            return nil
        case .stdout:
            self.descriptor = STDOUT_FILENO
            self.ownsDescriptor = false
        case .stderr:
            self.descriptor = STDERR_FILENO
            self.ownsDescriptor = false
        case .file(let path):
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw OpenError(path: path, errno: errno) }
            self.descriptor = descriptor
            self.ownsDescriptor = true
        }
        self.format = format
        self.onDrop = onDrop
    }

    /// Queues one formatted line (ending with a newline).
    func append(_ line: ByteBuffer) {
        let startDrain: Bool = self.queue.withLockedValue { queue in
            if queue.closed { return false }
            if queue.bytes.count + line.readableBytes > Self.maxQueuedBytes {
                queue.dropped += 1
                return false
            }
            queue.bytes.append(contentsOf: line.readableBytesView)
            if queue.draining { return false }
            queue.draining = true
            return true
        }
        if startDrain {
            NIOThreadPool.singleton.submit { [self] _ in self.drain() }
        }
    }

    /// Writes whatever is queued, until the queue stays empty.
    private func drain() {
        self.writing.withLock { self.drainLocked() }
    }

    private func drainLocked() {
        var pending: [UInt8] = []
        while true {
            let dropped: Int
            (pending, dropped) = self.queue.withLockedValue { queue in
                if queue.bytes.isEmpty || queue.closed {
                    queue.draining = false
                    return ([], 0)
                }
                var taken: [UInt8] = []
                swap(&taken, &queue.bytes)
                let dropped = queue.dropped
                queue.dropped = 0
                return (taken, dropped)
            }
            if dropped > 0 { self.onDrop(dropped) }
            if pending.isEmpty { return }
            pending.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(self.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return  // the destination is gone (closed pipe, full disk): drop the rest
                    }
                }
            }
        }
    }

    /// Writes what is still queued and closes a log file.
    func close() async {
        self.writing.withLock {
            self.drainLocked()
            self.queue.withLockedValue {
                $0.closed = true
                $0.bytes = []
            }
            if self.ownsDescriptor { _ = Glibc.close(self.descriptor) }
        }
    }
}

/// Formats access log lines. One per event loop: it keeps its output buffer and the last formatted
/// timestamp between requests, so a line costs no allocation beyond the strings it copies.
struct AccessLogFormatter {
    let format: AccessLogFormat
    private var buffer = ByteBuffer()
    private var cachedSecond = 0
    private var cachedText = ""
    private var cachedISO = ""

    init(format: AccessLogFormat) {
        self.format = format
    }

    mutating func line(for record: RequestRecord) -> ByteBuffer {
        self.buffer.clear()
        self.refreshTime()
        switch self.format {
        case .text: self.writeText(record)
        case .json: self.writeJSON(record)
        }
        self.buffer.writeInteger(UInt8(ascii: "\n"))
        return self.buffer
    }

    // nginx's combined format, then the gateway's facts as key=value pairs:
    // 127.0.0.1 - - [29/Nov/2026:08:30:00 +0000] "GET /orders HTTP/1.1" 200 12 "-" "curl/8.5.0" route=orders ...
    private mutating func writeText(_ record: RequestRecord) {
        let head = record.head
        self.buffer.writeString(record.clientIP)
        self.buffer.writeStaticString(" - - [")
        self.buffer.writeString(self.cachedText)
        self.buffer.writeStaticString("] \"")
        self.writeEscaped(head.method.rawValue)
        self.buffer.writeStaticString(" ")
        self.writeEscaped(head.uri)
        self.buffer.writeStaticString(head.version.minor == 0 ? " HTTP/1.0\" " : " HTTP/1.1\" ")
        self.buffer.writeString(String(record.status))
        self.buffer.writeStaticString(" ")
        self.buffer.writeString(String(record.bytesSent))
        self.buffer.writeStaticString(" \"")
        self.writeEscaped(head.headers.first(name: "referer") ?? "-")
        self.buffer.writeStaticString("\" \"")
        self.writeEscaped(head.headers.first(name: "user-agent") ?? "-")
        self.buffer.writeStaticString("\"")
        self.writePair("service", record.route.map { $0.key.service.isEmpty ? "-" : $0.key.service } ?? "-")
        self.writePair("route", record.route.map { $0.key.route.isEmpty ? "-" : $0.key.route } ?? "-")
        self.writePair("latency_ms", Self.milliseconds(record.totalMs))
        self.writePair("upstream_ms", record.upstreamMs.map(Self.milliseconds) ?? "-")
        self.writePair("sideband_request_ms", record.sidebandRequestMs.map(Self.milliseconds) ?? "-")
        self.writePair("sideband_response_ms", record.sidebandResponseMs.map(Self.milliseconds) ?? "-")
        self.writePair("decision", record.decision?.label ?? "-")
        self.writePair("correlation_id", record.correlationID ?? "-")
        self.writePair("request_id", String(record.requestID))
    }

    private mutating func writePair(_ key: StaticString, _ value: String) {
        self.buffer.writeStaticString(" ")
        self.buffer.writeStaticString(key)
        self.buffer.writeStaticString("=")
        self.writeEscaped(value, spaces: true)
    }

    /// Quotes, backslashes, control bytes (and with `spaces`, spaces) as `\xHH`, as nginx escapes
    /// variables, so a client cannot forge a line or a field.
    private mutating func writeEscaped(_ text: String, spaces: Bool = false) {
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
                || (spaces && byte == UInt8(ascii: " "))
            {
                self.buffer.writeStaticString("\\x")
                self.buffer.writeInteger(Self.hexDigit(byte >> 4))
                self.buffer.writeInteger(Self.hexDigit(byte & 0xF))
            } else {
                self.buffer.writeInteger(byte)
            }
        }
    }

    private mutating func writeJSON(_ record: RequestRecord) {
        let head = record.head
        self.buffer.writeStaticString(#"{"time":""#)
        self.buffer.writeString(self.cachedISO)
        self.buffer.writeStaticString(#"","request_id":""#)
        self.buffer.writeString(String(record.requestID))
        self.buffer.writeStaticString(#"","client_ip":"#)
        _ = self.buffer.writeJSONString(record.clientIP)
        self.buffer.writeStaticString(#","method":"#)
        _ = self.buffer.writeJSONString(head.method.rawValue)
        self.buffer.writeStaticString(#","uri":"#)
        _ = self.buffer.writeJSONString(head.uri)
        self.buffer.writeStaticString(head.version.minor == 0 ? #","http_version":"1.0""# : #","http_version":"1.1""#)
        self.buffer.writeStaticString(#","status":"#)
        self.buffer.writeString(String(record.status))
        self.buffer.writeStaticString(#","bytes_received":"#)
        self.buffer.writeString(String(record.bytesReceived))
        self.buffer.writeStaticString(#","bytes_sent":"#)
        self.buffer.writeString(String(record.bytesSent))
        self.buffer.writeStaticString(#","service":"#)
        self.writeJSONOptional(record.route.flatMap { $0.key.service.isEmpty ? nil : $0.key.service })
        self.buffer.writeStaticString(#","route":"#)
        self.writeJSONOptional(record.route.flatMap { $0.key.route.isEmpty ? nil : $0.key.route })
        self.buffer.writeStaticString(#","user_agent":"#)
        self.writeJSONOptional(head.headers.first(name: "user-agent"))
        self.buffer.writeStaticString(#","latencies":{"request":"#)
        self.buffer.writeString(Self.milliseconds(record.totalMs))
        self.buffer.writeStaticString(#","kong":"#)
        self.buffer.writeString(Self.milliseconds(record.gatewayMs))
        self.buffer.writeStaticString(#","upstream":"#)
        self.buffer.writeString(record.upstreamMs.map(Self.milliseconds) ?? "null")
        self.buffer.writeStaticString(#","sideband_request":"#)
        self.buffer.writeString(record.sidebandRequestMs.map(Self.milliseconds) ?? "null")
        self.buffer.writeStaticString(#","sideband_response":"#)
        self.buffer.writeString(record.sidebandResponseMs.map(Self.milliseconds) ?? "null")
        self.buffer.writeStaticString(#"},"decision":"#)
        self.writeJSONOptional(record.decision?.label)
        self.buffer.writeStaticString(#","correlation_id":"#)
        self.writeJSONOptional(record.correlationID)
        self.buffer.writeStaticString("}")
    }

    private mutating func writeJSONOptional(_ value: String?) {
        if let value {
            _ = self.buffer.writeJSONString(value)
        } else {
            self.buffer.writeStaticString("null")
        }
    }

    /// Milliseconds with microsecond resolution, e.g. `3.042`.
    static func milliseconds(_ value: Double) -> String {
        let micros = Int((value * 1000).rounded())
        let fraction = micros % 1000
        let padded = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(micros / 1000).\(padded)"
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }

    /// Re-formats the timestamps only when the second changed.
    private mutating func refreshTime() {
        var now = time(nil)
        let second = Int(now)
        guard second != self.cachedSecond else { return }
        self.cachedSecond = second
        var parts = tm()
        gmtime_r(&now, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = Int(parts.tm_year) + 1900
        let month = Int(parts.tm_mon)
        let clock = "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        self.cachedText = "\(two(parts.tm_mday))/\(months[month])/\(year):\(clock) +0000"
        self.cachedISO = "\(year)-\(two(Int32(month + 1)))-\(two(parts.tm_mday))T\(clock)Z"
    }
}
