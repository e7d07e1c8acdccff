import NIOHTTP1

/// Header rules shared by both directions of the proxy.
///
/// Hand-written rather than generic because it runs for every header of every request and response:
/// one pass, comparisons on lower-cased ASCII without allocating per header.
enum HeaderRules {
    /// RFC 9110 §7.6.1 connection-specific fields plus the de-facto ones nginx also drops.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// Names listed in `Connection` (lower-cased); these are hop-by-hop for this message too.
    static func connectionTokens(_ headers: HTTPHeaders) -> Set<String> {
        var tokens: Set<String> = []
        for value in headers["connection"] {
            for token in value.split(separator: ",") {
                let name = token.trimmingASCIISpaces().lowercased()
                if !name.isEmpty { tokens.insert(name) }
            }
        }
        return tokens
    }

    /// Appends `headers` to `result` without hop-by-hop fields, fields named in `Connection`, names in `alsoDrop`,
    /// and (for requests) names containing `_`, which nginx and Kong drop so that `X_User` can never
    /// reach a backend that folds it into `X-User`.
    static func appendForwardable(
        _ headers: HTTPHeaders,
        to result: inout HTTPHeaders,
        dropUnderscoreNames: Bool,
        alsoDrop: Set<String>
    ) {
        let listed = headers.contains(name: "connection") ? connectionTokens(headers) : []
        for (name, value) in headers {
            if dropUnderscoreNames && name.utf8.contains(UInt8(ascii: "_")) { continue }
            let lower = name.lowercased()
            if hopByHop.contains(lower) || alsoDrop.contains(lower) || listed.contains(lower) { continue }
            result.add(name: name, value: value)
        }
    }

    /// True when no CR, LF or NUL can end up on the wire (NIO validates outbound headers as well; this
    /// lets us answer a clear 502 instead of failing a write).
    static func isSafeValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }
}
