import Crypto
import Foundation
import NIOCore
import SidebandProtocol

/// What a replayed call is matched by.
///
/// **Matching rule.** Two calls match when they are the same phase (the path ends in `/sideband/request`,
/// or in `/sideband/response`; any prefix and query are ignored) and the SHA-256 of their payload's
/// canonical form is equal. The canonical form is the payload JSON with every object's keys sorted, no
/// insignificant whitespace, strings re-escaped (`CompactJSON`), and these volatile fields removed:
/// - `source_port` (the client's ephemeral port changes on every connection);
/// - response calls only: `state` (PingAuthorize's opaque state is different every time), `source_port`
///   inside an echoed `request` object, and `date` entries of the upstream response's `headers` list (the
///   upstream's clock).
///
/// Everything else counts, header order included (it is significant to a policy). A payload that is not
/// JSON is matched by the SHA-256 of its exact bytes.
struct ReplayKey: Hashable, Sendable {
    var phase: MockDecisionRecord.Phase
    /// Lower-case hex SHA-256 of the canonical payload.
    var digest: String

    init(phase: MockDecisionRecord.Phase, payload: ByteBuffer) {
        if let document = try? JSONParser.parse(payload) {
            self.init(phase: phase, payload: document.root)
        } else {
            self.init(phase: phase, digest: Self.digest(of: payload))
        }
    }

    init(phase: MockDecisionRecord.Phase, payload: JSONValue) {
        self.init(phase: phase, digest: Self.digest(of: Self.canonicalForm(of: payload, phase: phase)))
    }

    private init(phase: MockDecisionRecord.Phase, digest: String) {
        self.phase = phase
        self.digest = digest
    }

    /// The bytes that are hashed (see the type's matching rule).
    static func canonicalForm(of payload: JSONValue, phase: MockDecisionRecord.Phase) -> ByteBuffer {
        var buffer = ByteBuffer()
        guard payload.kind == .object else {
            CompactJSON.write(payload, sortKeys: true, into: &buffer)
            return buffer
        }
        buffer.writeStaticString("{")
        var first = true
        for member in CompactJSON.members(of: payload, sorted: true) {
            switch (member.key, phase) {
            case ("source_port", _), ("state", .response):
                continue
            default:
                break
            }
            if !first { buffer.writeStaticString(",") }
            first = false
            buffer.writeJSONString(member.key)
            buffer.writeStaticString(":")
            switch (member.key, phase) {
            case ("request", .response) where member.value.kind == .object:
                let kept = CompactJSON.members(of: member.value, sorted: true).filter { $0.key != "source_port" }
                CompactJSON.writeMembers(kept, sortKeys: true, into: &buffer)
            case ("headers", .response) where member.value.kind == .array:
                buffer.writeStaticString("[")
                var firstHeader = true
                for header in member.value.elements where !Self.isDateHeader(header) {
                    if !firstHeader { buffer.writeStaticString(",") }
                    firstHeader = false
                    CompactJSON.write(header, sortKeys: true, into: &buffer)
                }
                buffer.writeStaticString("]")
            default:
                CompactJSON.write(member.value, sortKeys: true, into: &buffer)
            }
        }
        buffer.writeStaticString("}")
        return buffer
    }

    /// A `{"date": "..."}` entry of a sideband header list (names compared without regard to case).
    private static func isDateHeader(_ header: JSONValue) -> Bool {
        guard header.kind == .object, header.count == 1 else { return false }
        for member in header.members where member.key.lowercased() == "date" {
            return true
        }
        return false
    }

    private static func digest(of buffer: ByteBuffer) -> String {
        Self.hex(buffer.withUnsafeReadableBytes { SHA256.hash(data: $0) })
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
