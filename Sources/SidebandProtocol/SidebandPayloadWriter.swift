public import NIOCore

/// Writes the two sideband payloads (SIDEBAND.md §2 and §4) straight into the outgoing buffer.
///
/// Hand-written rather than built with `JSONEncoder` or a dictionary: this runs twice per proxied request
/// and the payload embeds every header and the whole body. Constant parts go in with `writeStaticString`,
/// values with `writeJSONString`; no intermediate `String`, array or dictionary is built, and the keys
/// come out in a fixed, documented order (the plugin's order changed with Lua's hash seed).
/// The generic writers are `@inlinable` so that they are specialised for the gateway's header type
/// instead of iterating headers through protocol witnesses.
public enum SidebandPayloadWriter {
    /// What the `/sideband/response` payload carries besides the response (SIDEBAND.md §4: exactly one).
    public enum ResponseContext: Sendable {
        /// The `state` the request-phase answer returned: its raw JSON value bytes, echoed byte for byte
        /// (any JSON type; the plugin re-encoded it, turning `[]` into `{}` and rounding numbers).
        case state(ByteBuffer)
        /// The whole `/sideband/request` payload we sent, echoed as the `request` value (when the
        /// request-phase answer had no `state`).
        case request(ByteBuffer)
    }

    /// Writes the `/sideband/request` body.
    ///
    /// Keys, in this order: `source_ip`, `source_port` (number), `method`, `url`, `http_version`,
    /// `headers`, `body` (absent for `.omitted`), `client_certificate` (only when present). `headers` is
    /// always an array, `[]` when there are none (the plugin wrote `{}`); header names containing `_` are
    /// dropped here.
    ///
    /// - Returns: the byte range, as absolute buffer indices, of the `url` string's contents (escaped, the
    ///   quotes excluded). The caller keeps `buffer.getSlice(at: range.lowerBound, length: range.count)`
    ///   (a view into the payload, no copy) and hands it to `writeResponse`, so the response phase never
    ///   rebuilds the url.
    @discardableResult
    @inlinable
    public static func writeRequest<Headers>(
        _ request: SidebandRequestDescription<Headers>,
        into buffer: inout ByteBuffer
    ) -> Range<Int> {
        buffer.writeStaticString(#"{"source_ip":"#)
        buffer.writeJSONString(request.sourceIP)
        buffer.writeStaticString(#","source_port":"#)
        buffer.writeJSONInteger(request.sourcePort)
        buffer.writeStaticString(#","method":"#)
        buffer.writeJSONString(request.method)
        buffer.writeStaticString(#","url":""#)
        let urlStart = buffer.writerIndex
        buffer.writeJSONStringContents(request.scheme)
        buffer.writeStaticString("://")
        if request.host.utf8.contains(UInt8(ascii: ":")) && request.host.utf8.first != UInt8(ascii: "[") {
            // An IPv6 literal: brackets keep the port separable (RFC 3986 §3.2.2).
            buffer.writeStaticString("[")
            buffer.writeJSONStringContents(request.host)
            buffer.writeStaticString("]")
        } else {
            buffer.writeJSONStringContents(request.host)
        }
        buffer.writeStaticString(":")
        buffer.writeJSONInteger(request.port)
        buffer.writeJSONStringContents(request.path)
        if let query = request.query, !query.isEmpty {
            buffer.writeStaticString("?")
            buffer.writeJSONStringContents(query)
        }
        let urlEnd = buffer.writerIndex
        buffer.writeStaticString(#"","http_version":"#)
        buffer.writeJSONString(request.httpVersion)
        buffer.writeStaticString(#","headers":"#)
        Self.writeHeaders(request.headers, droppingUnderscoreNames: true, into: &buffer)
        Self.writeBody(request.body, into: &buffer)
        if let certificate = request.clientCertificate {
            buffer.writeStaticString(#","client_certificate":"#)
            buffer.writeImmutableBuffer(certificate)
        }
        buffer.writeStaticString("}")
        return urlStart..<urlEnd
    }

    /// Writes the `/sideband/response` body.
    ///
    /// Keys, in this order: `method`, `url`, `http_version`, `response_code` (a string, `"201"`),
    /// `response_status` (upper-case reason phrase, `""` for codes without one, see `ReasonPhrase`),
    /// `headers` (lower-cased names, all of them: underscore names come from the upstream, not a client),
    /// `body` (absent for `.omitted`), then `state` or `request`.
    ///
    /// - Parameters:
    ///   - method: the client's original method.
    ///   - url: the contents of the request payload's `url` string, already escaped and without quotes
    ///     (the slice described by `writeRequest`'s return value); copied as is.
    ///   - httpVersion: `"1.1"` or `"1.0"`.
    ///   - statusCode: the upstream status.
    ///   - headers: the upstream response headers as the client would get them.
    ///   - body: the upstream body (decompressed by the caller; UTF-8 precondition as for requests).
    ///   - context: `state` or `request`.
    @inlinable
    public static func writeResponse<Headers: Sequence>(
        method: String,
        url: ByteBuffer,
        httpVersion: String,
        statusCode: Int,
        headers: Headers,
        body: SidebandBody,
        context: ResponseContext,
        into buffer: inout ByteBuffer
    ) where Headers.Element == (name: String, value: String) {
        buffer.writeStaticString(#"{"method":"#)
        buffer.writeJSONString(method)
        buffer.writeStaticString(#","url":""#)
        buffer.writeImmutableBuffer(url)
        buffer.writeStaticString(#"","http_version":"#)
        buffer.writeJSONString(httpVersion)
        buffer.writeStaticString(#","response_code":""#)
        buffer.writeJSONInteger(statusCode)
        buffer.writeStaticString(#"","response_status":""#)
        buffer.writeStaticString(ReasonPhrase.upperCased(for: statusCode))
        buffer.writeStaticString(#"","headers":"#)
        Self.writeHeaders(headers, droppingUnderscoreNames: false, into: &buffer)
        Self.writeBody(body, into: &buffer)
        switch context {
        case .state(let state):
            buffer.writeStaticString(#","state":"#)
            buffer.writeImmutableBuffer(state)
        case .request(let request):
            buffer.writeStaticString(#","request":"#)
            buffer.writeImmutableBuffer(request)
        }
        buffer.writeStaticString("}")
    }

    /// `[{"name":"value"},...]`: one single-key object per header line, in the given order, names
    /// lower-cased, values verbatim.
    @inlinable
    static func writeHeaders<Headers: Sequence>(
        _ headers: Headers,
        droppingUnderscoreNames: Bool,
        into buffer: inout ByteBuffer
    ) where Headers.Element == (name: String, value: String) {
        buffer.writeStaticString("[")
        var first = true
        for (name, value) in headers {
            if droppingUnderscoreNames && name.utf8.contains(UInt8(ascii: "_")) { continue }
            buffer.writeStaticString(first ? "{" : ",{")
            first = false
            buffer.writeJSONStringLowercasingASCII(name)
            buffer.writeStaticString(":")
            buffer.writeJSONString(value)
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("]")
    }

    @usableFromInline
    static func writeBody(_ body: SidebandBody, into buffer: inout ByteBuffer) {
        switch body {
        case .empty:
            buffer.writeStaticString(#","body":"""#)
        case .bytes(let bytes):
            assert(UTF8Validation.isValid(bytes.readableBytesView), "the caller must refuse or omit invalid UTF-8")
            buffer.writeStaticString(#","body":"#)
            buffer.writeJSONString(bytes.readableBytesView)
        case .omitted:
            break
        }
    }
}
