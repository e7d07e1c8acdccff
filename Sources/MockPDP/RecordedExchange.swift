import Foundation
import NIOCore
import SidebandProtocol

/// One line of a record file (JSONL): a sideband call forwarded to the real provider and its answer.
///
/// ```json
/// {"time":"2025-01-31T12:00:00.123Z","path":"/sideband/request","request":{...payload...},
///  "status":200,"response":{...answer...},"headers":[{"content-type":"application/json"}]}
/// ```
/// - `request`: the payload as the gateway sent it (line breaks between tokens turned into spaces). Payloads are
///   kept whole, client `authorization` headers and cookies included: replay matches on them. Treat
///   record files as secrets (they are created with mode 0600).
/// - `response`: the answer's JSON when it is an object or array, else its text as a JSON string; either
///   way it replays byte for byte (but for line breaks between JSON tokens).
/// - `headers`: the provider's answer headers minus framing (`content-length`, `transfer-encoding`,
///   `connection`, `keep-alive`), `date`, and the gateway's secret header should a provider echo it. The
///   HTTP headers of the *call* are never recorded, so the shared secret is never written.
/// A payload that is not a JSON object or array is recorded as a JSON string of its text under `request`.
struct RecordedExchange: Sendable {
    var path: String
    var phase: MockDecisionRecord.Phase
    var key: ReplayKey
    var status: Int
    var body: ByteBuffer
    var headers: [(name: String, value: String)]

    /// The JSONL line (newline included) recording one forwarded call.
    static func line(
        time: Date,
        path: String,
        payload: ByteBuffer,
        status: Int,
        answer: ByteBuffer,
        answerHeaders: [(name: String, value: String)],
        secretHeaderName: String
    ) -> ByteBuffer {
        var line = ByteBuffer()
        line.reserveCapacity(payload.readableBytes + answer.readableBytes + 256)
        line.writeStaticString(#"{"time":"#)
        line.writeJSONString(Self.timestamp(time))
        line.writeStaticString(#","path":"#)
        line.writeJSONString(path)
        line.writeStaticString(#","request":"#)
        Self.writeJSONOrString(payload, into: &line)
        line.writeStaticString(#","status":"#)
        line.writeJSONInteger(status)
        line.writeStaticString(#","response":"#)
        Self.writeJSONOrString(answer, into: &line)
        line.writeStaticString(#","headers":["#)
        var first = true
        for header in RelayedHeaders.relayed(answerHeaders, secretHeaderName: secretHeaderName) {
            if !first { line.writeStaticString(",") }
            first = false
            line.writeStaticString("{")
            line.writeJSONString(header.name.lowercased())
            line.writeStaticString(":")
            line.writeJSONString(header.value)
            line.writeStaticString("}")
        }
        line.writeStaticString("]}\n")
        return line
    }

    /// Reads one line back; nil with a reason when it is not a recording.
    static func parse(line: ByteBuffer) -> Result<RecordedExchange, RecordLineError> {
        guard let document = try? JSONParser.parse(line) else { return .failure(.init("not JSON")) }
        let root = document.root
        guard root.kind == .object else { return .failure(.init("not a JSON object")) }
        guard let path = root["path"]?.string else { return .failure(.init("missing string \"path\"")) }
        let phase: MockDecisionRecord.Phase
        switch MockRoute(method: .POST, uri: path) {
        case .sideband(let found): phase = found
        case .decisions, .health, .methodNotAllowed, .notFound:
            return .failure(.init("\"path\" is not a sideband path: \(path)"))
        }
        guard let request = root["request"] else { return .failure(.init("missing \"request\"")) }
        guard let status = root["status"]?.integer, (100...599).contains(status) else {
            return .failure(.init("missing or invalid \"status\""))
        }
        guard let response = root["response"] else { return .failure(.init("missing \"response\"")) }

        let key: ReplayKey
        if let text = request.string {
            key = ReplayKey(phase: phase, payload: ByteBuffer(string: text))
        } else {
            key = ReplayKey(phase: phase, payload: request)
        }
        let body: ByteBuffer
        switch response.kind {
        case .string:
            body = ByteBuffer(string: response.string ?? "")
        case .object, .array, .number, .bool, .null:
            body = response.rawBytes
        }
        var headers: [(name: String, value: String)] = []
        if let list = root["headers"] {
            guard list.kind == .array else { return .failure(.init("\"headers\" must be a list")) }
            for header in list.elements {
                for member in header.members {
                    guard let value = member.value.string else {
                        return .failure(.init("header values must be strings"))
                    }
                    headers.append((member.key, value))
                }
            }
        }
        return .success(
            RecordedExchange(path: path, phase: phase, key: key, status: status, body: body, headers: headers)
        )
    }

    /// Writes `buffer` as JSON when it is a JSON object or array: its exact bytes, except that line breaks
    /// (which outside strings can only be whitespace) become spaces to keep the record on one line, so a
    /// replayed answer is byte for byte the provider's. Anything else goes in as a JSON string of its text
    /// (bytes that are not UTF-8 replaced); scalars too, so that a string read back always means "these
    /// exact bytes".
    private static func writeJSONOrString(_ buffer: ByteBuffer, into line: inout ByteBuffer) {
        if let document = try? JSONParser.parse(buffer),
            document.root.kind == .object || document.root.kind == .array
        {
            for byte in buffer.readableBytesView {
                line.writeInteger(byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") ? UInt8(ascii: " ") : byte)
            }
        } else {
            line.writeJSONString(String(decoding: buffer.readableBytesView, as: UTF8.self))
        }
    }

    /// ISO 8601 UTC with milliseconds.
    private static func timestamp(_ time: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: time)
    }
}

/// Why a record file line could not be replayed.
struct RecordLineError: Error, Sendable {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
