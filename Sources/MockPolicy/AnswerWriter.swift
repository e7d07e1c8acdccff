import Foundation
import NIOCore
import SidebandProtocol

/// Writes the mock's answers in PingAuthorize's shapes (SIDEBAND.md §3 and §5, golden/paz): an allow is
/// the request payload echoed (changed fields replaced, every other member copied byte for byte, so
/// `source_port` stays a number) plus `state`; a deny is `{"response":{...}}` with a string
/// `response_code`; a response-phase answer is the flat response object.
enum AnswerWriter {
    /// The payload echoed as received, plus `state` when given. No member is decoded or re-encoded.
    static func allowUnchanged(payload: ByteBuffer, memberCount: Int, statePayload: ByteBuffer?) -> ByteBuffer {
        guard let statePayload else { return payload }
        // The payload is a JSON object (validated), so its last non-space byte is the closing brace.
        let lastBrace = payload.readableBytesView.lastIndex(of: UInt8(ascii: "}"))!
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.readableBytes + statePayload.readableBytes * 4 / 3 + 16)
        buffer.writeImmutableBuffer(payload.getSlice(at: payload.readerIndex, length: lastBrace - payload.readerIndex)!)
        buffer.writeStaticString(memberCount > 0 ? #","state":""# : #""state":""#)
        Base64URL.encode(statePayload, into: &buffer)
        buffer.writeStaticString("\"}")
        return buffer
    }

    /// The payload echoed with the given members replaced (nil: unchanged). Members the payload lacks are
    /// appended (`headers`, `body`).
    static func allowChanged(
        root: JSONValue,
        headers: [(name: String, value: String)]?,
        method: String?,
        url: String?,
        body: String?,
        statePayload: ByteBuffer?
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(root.document.source.readableBytes + 256)
        buffer.writeStaticString("{")
        var first = true
        var wroteHeaders = false
        var wroteBody = false
        func key(_ name: String) {
            buffer.writeStaticString(first ? "" : ",")
            first = false
            buffer.writeJSONString(name)
            buffer.writeStaticString(":")
        }
        for member in root.members {
            switch member.key {
            case "headers" where headers != nil:
                guard !wroteHeaders else { continue }
                key(member.key)
                Self.writeHeaders(headers!, into: &buffer)
                wroteHeaders = true
            case "method" where method != nil:
                key(member.key)
                buffer.writeJSONString(method!)
            case "url" where url != nil:
                key(member.key)
                buffer.writeJSONString(url!)
            case "body" where body != nil:
                guard !wroteBody else { continue }
                key(member.key)
                buffer.writeJSONString(body!)
                wroteBody = true
            case "state":
                continue
            default:
                key(member.key)
                buffer.writeImmutableBuffer(member.value.rawBytes)
            }
        }
        if let headers, !wroteHeaders {
            key("headers")
            Self.writeHeaders(headers, into: &buffer)
        }
        if let body, !wroteBody {
            key("body")
            buffer.writeJSONString(body)
        }
        if let statePayload {
            key("state")
            buffer.writeStaticString("\"")
            Base64URL.encode(statePayload, into: &buffer)
            buffer.writeStaticString("\"")
        }
        buffer.writeStaticString("}")
        return buffer
    }

    /// `{"response":{"response_code":"403","response_status":"FORBIDDEN","headers":[...],"body":"..."}}`.
    static func requestDeny(status: Int, headers: [(name: String, value: String)], body: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"response":"#)
        Self.writeFlatResponse(status: status, phrase: nil, echo: nil, headers: headers, body: body, into: &buffer)
        buffer.writeStaticString("}")
        return buffer
    }

    /// The flat response-phase answer. nil headers or body: the payload's, copied as they are.
    static func response(
        _ response: SidebandResponse,
        status: Int?,
        headers: [(name: String, value: String)]?,
        body: String?
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(response.root.document.source.readableBytes + 64)
        let phrase = status == nil ? response.root["response_status"]?.string : nil
        Self.writeFlatResponse(
            status: status ?? response.status,
            phrase: phrase,
            echo: response.root,
            headers: headers,
            body: body,
            into: &buffer
        )
        return buffer
    }

    /// `{"id":"<uuid>","code":"INVALID_REQUEST","message":"..."}`, the body of a 400.
    static func badRequest(_ message: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"id":"#)
        buffer.writeJSONString(UUID().uuidString.lowercased())
        buffer.writeStaticString(#","code":"INVALID_REQUEST","message":"#)
        buffer.writeJSONString(message)
        buffer.writeStaticString("}")
        return buffer
    }

    // MARK: - Parts

    /// `response_code` (a string), `response_status`, then, when `echo` is given, its `method`, `url` and
    /// `http_version`, then `headers` and `body` (given, or copied from `echo`).
    private static func writeFlatResponse(
        status: Int,
        phrase: String?,
        echo: JSONValue?,
        headers: [(name: String, value: String)]?,
        body: String?,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString(#"{"response_code":""#)
        buffer.writeJSONInteger(status)
        buffer.writeStaticString(#"","response_status":"#)
        if let phrase {
            buffer.writeJSONString(phrase)
        } else {
            buffer.writeStaticString("\"")
            buffer.writeStaticString(ReasonPhrase.upperCased(for: status))
            buffer.writeStaticString("\"")
        }
        for name in ["method", "url", "http_version"] {
            if let value = echo?[name] {
                buffer.writeStaticString(",")
                buffer.writeJSONString(name)
                buffer.writeStaticString(":")
                buffer.writeImmutableBuffer(value.rawBytes)
            }
        }
        buffer.writeStaticString(#","headers":"#)
        if let headers {
            Self.writeHeaders(headers, into: &buffer)
        } else if let raw = echo?["headers"], raw.kind == .array {
            buffer.writeImmutableBuffer(raw.rawBytes)
        } else {
            buffer.writeStaticString("[]")
        }
        buffer.writeStaticString(#","body":"#)
        if let body {
            buffer.writeJSONString(body)
        } else if let raw = echo?["body"], raw.kind == .string {
            buffer.writeImmutableBuffer(raw.rawBytes)
        } else {
            buffer.writeStaticString(#""""#)
        }
        buffer.writeStaticString("}")
    }

    /// `[{"Name":"value"},...]`, names as the rule or the payload wrote them.
    static func writeHeaders(_ headers: [(name: String, value: String)], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("[")
        for (index, header) in headers.enumerated() {
            buffer.writeStaticString(index == 0 ? "{" : ",{")
            buffer.writeJSONString(header.name)
            buffer.writeStaticString(":")
            buffer.writeJSONString(header.value)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("]")
    }
}
