import NIOCore

/// What an allow answer changes about the upstream request (SIDEBAND.md §3 "Allow"). Empty when the
/// policy echoed the request unchanged.
public struct RequestChanges: Sendable, Equatable {
    /// Lower-cased names of headers we sent that the answer no longer lists: remove every line.
    public var removeHeaders: [String]
    /// Headers whose value list differs from what we sent, or that are new: replace all lines of the
    /// name with these values, in order. Names lower-cased, in the answer's order of first appearance.
    public var setHeaders: [(name: String, values: [String])]
    /// The answer's method, when it differs from the one we sent.
    public var method: String?
    /// The answer url's path (raw, percent-encoded where a request line needs it), when it differs.
    public var path: String?
    /// The answer url's query, when it differs: `.some(nil)` means the query was removed; verbatim.
    public var query: String??
    /// `host` or `host:port` (port only when the answer url has one) when the host or port changed:
    /// the value for the upstream `Host` header.
    public var hostHeader: String?
    /// The answer changed the scheme: not supported, the caller logs it.
    public var schemeChanged: Bool
    /// The new upstream body, when we described one and the answer's differs. `""` when the answer has no
    /// `body` (or `null`) but we sent a non-empty one (the plugin behaved so).
    public var body: String?

    public init(
        removeHeaders: [String] = [],
        setHeaders: [(name: String, values: [String])] = [],
        method: String? = nil,
        path: String? = nil,
        query: String?? = .none,
        hostHeader: String? = nil,
        schemeChanged: Bool = false,
        body: String? = nil
    ) {
        self.removeHeaders = removeHeaders
        self.setHeaders = setHeaders
        self.method = method
        self.path = path
        self.query = query
        self.hostHeader = hostHeader
        self.schemeChanged = schemeChanged
        self.body = body
    }

    /// Whether nothing is to be changed.
    public var isEmpty: Bool {
        self.removeHeaders.isEmpty && self.setHeaders.isEmpty && self.method == nil && self.path == nil
            && self.query == nil && self.hostHeader == nil && !self.schemeChanged && self.body == nil
    }

    public static func == (lhs: RequestChanges, rhs: RequestChanges) -> Bool {
        lhs.removeHeaders == rhs.removeHeaders
            && lhs.setHeaders.elementsEqual(rhs.setHeaders) { $0.name == $1.name && $0.values == $1.values }
            && lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query
            && lhs.hostHeader == rhs.hostHeader && lhs.schemeChanged == rhs.schemeChanged && lhs.body == rhs.body
    }
}

/// Compares an allow answer with what we described and lists the changes to apply.
public enum RequestDiff {
    /// - Parameters:
    ///   - sentHeaders: the header lines as passed to the request description (names containing `_` are
    ///     skipped here too: they were not described).
    ///   - sentMethod, sentScheme, sentHost, sentPort, sentPath, sentQuery: the parts of the `url` and
    ///     `method` we wrote (host lower-cased without port; query verbatim, nil or empty = none).
    ///   - sentBody: what we described; `.omitted` means body changes are ignored.
    ///   - answer: the parsed allow answer.
    ///
    /// Headers: grouped by lower-cased name in order; a name whose value list (order included) differs is
    /// set, a sent name the answer lacks is removed, a new name is set. `content-length` and
    /// `transfer-encoding` are never set or removed: framing is ours. When the answer has no `headers` at
    /// all, headers are left alone (the plugin crashed there). A url that does not parse (only possible for
    /// a hand-built `AllowedRequest`; the parser refuses it) changes nothing.
    public static func changes<Headers: Sequence>(
        sentHeaders: Headers,
        sentMethod: String,
        sentScheme: String,
        sentHost: String,
        sentPort: Int,
        sentPath: String,
        sentQuery: Substring?,
        sentBody: SidebandBody,
        answer: AllowedRequest
    ) -> RequestChanges where Headers.Element == (name: String, value: String) {
        var changes = RequestChanges()
        if let answerHeaders = answer.headers {
            Self.diffHeaders(sent: sentHeaders, answer: answerHeaders, into: &changes)
        }
        if let method = answer.method, method != sentMethod {
            changes.method = method
        }
        if let url = answer.url, let parsed = AnswerURL.parse(url) {
            if let scheme = parsed.scheme, scheme != HTTPSyntax.lowercasedASCII(sentScheme) {
                changes.schemeChanged = true
            }
            if let host = parsed.host {
                let port = parsed.effectivePort ?? sentPort
                if host != Self.bracketed(HTTPSyntax.lowercasedASCII(sentHost)) || port != sentPort {
                    changes.hostHeader = parsed.port.map { "\(host):\($0)" } ?? host
                }
            }
            if parsed.path != sentPath {
                changes.path = parsed.path
            }
            let sent = sentQuery.flatMap { $0.isEmpty ? nil : String($0) }
            if parsed.query != sent {
                changes.query = .some(parsed.query)
            }
        }
        changes.body = Self.bodyChange(sent: sentBody, answer: answer.body)
        return changes
    }

    private static func diffHeaders<Headers: Sequence>(
        sent: Headers,
        answer: [(name: String, value: String)],
        into changes: inout RequestChanges
    ) where Headers.Element == (name: String, value: String) {
        // Most allows echo the headers as they were sent: then nothing changes, and finding that out
        // needs no grouping (which cost ~50 allocations per request).
        if Self.sameLines(sent: sent, answer: answer) { return }
        let sentGroups = HeaderGroups(sent.lazy.filter { !$0.name.utf8.contains(UInt8(ascii: "_")) })
        let answerGroups = HeaderGroups(answer)
        for (name, values) in answerGroups.groups where !Self.isFraming(name) {
            if sentGroups.values(for: name) != values {
                changes.setHeaders.append((name, values))
            }
        }
        for (name, _) in sentGroups.groups where !Self.isFraming(name) && answerGroups.values(for: name) == nil {
            changes.removeHeaders.append(name)
        }
    }

    /// Whether the answer lists exactly the described header lines, in order (names compared without
    /// case). Equal lists have equal groups, so no header changes.
    static func sameLines<Headers: Sequence>(sent: Headers, answer: [(name: String, value: String)]) -> Bool
    where Headers.Element == (name: String, value: String) {
        var index = 0
        for line in sent where !line.name.utf8.contains(UInt8(ascii: "_")) {
            guard index < answer.count else { return false }
            let other = answer[index]
            guard other.value == line.value, Self.equalIgnoringASCIICase(other.name, line.name) else { return false }
            index += 1
        }
        return index == answer.count
    }

    private static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8) { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
        }
    }

    /// Byte equality over contiguous storage (a body echoed unchanged is compared whole on every allow).
    static func sameBytes(_ text: String, _ buffer: ByteBuffer) -> Bool {
        guard text.utf8.count == buffer.readableBytes else { return false }
        var text = text
        return text.withUTF8 { utf8 in
            buffer.withUnsafeReadableBytes { raw in UnsafeRawBufferPointer(utf8).elementsEqual(raw) }
        }
    }

    /// An IPv6 literal as it appears in a url (the answer's host keeps its brackets).
    static func bracketed(_ host: String) -> String {
        host.utf8.contains(UInt8(ascii: ":")) && host.utf8.first != UInt8(ascii: "[") ? "[\(host)]" : host
    }

    private static func isFraming(_ name: String) -> Bool {
        name == "content-length" || name == "transfer-encoding"
    }

    private static func bodyChange(sent: SidebandBody, answer: String??) -> String? {
        let sentBytes: DescribedBody
        switch sent {
        case .omitted: return nil
        case .empty: sentBytes = .empty
        case .bytes(let buffer): sentBytes = buffer.readableBytes == 0 ? .empty : .bytes(buffer)
        }
        let answered: String? = answer ?? nil
        switch (sentBytes, answered) {
        case (.empty, nil):
            return nil
        case (.empty, let text?):
            return text.isEmpty ? nil : text
        case (.bytes, nil):
            return ""
        case (.bytes(let buffer), let text?):
            return Self.sameBytes(text, buffer) ? nil : text
        }
    }
}

/// What we described as the body, for the comparison.
private enum DescribedBody {
    case empty
    case bytes(ByteBuffer)
}

/// Header lines grouped by lower-cased name, groups in order of first appearance, values in order.
private struct HeaderGroups {
    private(set) var groups: [(name: String, values: [String])] = []
    private var positions: [String: Int] = [:]

    init<Lines: Sequence>(_ lines: Lines) where Lines.Element == (name: String, value: String) {
        for (name, value) in lines {
            let lowered = HTTPSyntax.lowercasedASCII(name)
            if let position = self.positions[lowered] {
                self.groups[position].values.append(value)
            } else {
                self.positions[lowered] = self.groups.count
                self.groups.append((lowered, [value]))
            }
        }
    }

    func values(for name: String) -> [String]? {
        self.positions[name].map { self.groups[$0].values }
    }
}
