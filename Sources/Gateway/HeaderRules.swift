import NIOHTTP1

/// Header rules shared by both directions of the proxy.
///
/// Hand-written rather than generic because it runs for every header of every request and response:
/// one pass, comparisons on lower-cased ASCII without allocating per header.
enum HeaderRules {
    /// RFC 9110 §7.6.1 connection-specific fields plus the de-facto ones nginx also drops. Compared by
    /// length first, then ASCII case-insensitively, so no header name is lower-cased (allocated) to check it.
    static func isHopByHop(_ name: String) -> Bool {
        switch name.utf8.count {
        case 2: name.equalsLowercaseASCII("te")
        case 7: name.equalsLowercaseASCII("trailer") || name.equalsLowercaseASCII("upgrade")
        case 10: name.equalsLowercaseASCII("connection") || name.equalsLowercaseASCII("keep-alive")
        case 16: name.equalsLowercaseASCII("proxy-connection")
        case 17: name.equalsLowercaseASCII("transfer-encoding")
        default: false
        }
    }

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
        alsoDrop: [String]
    ) {
        let listed = headers.contains(name: "connection") ? connectionTokens(headers) : []
        for (name, value) in headers {
            if dropUnderscoreNames && name.utf8.contains(UInt8(ascii: "_")) { continue }
            if isHopByHop(name) || alsoDrop.contains(where: { name.equalsLowercaseASCII($0) }) { continue }
            if !listed.isEmpty && listed.contains(name.lowercased()) { continue }
            result.add(name: name, value: value)
        }
    }
}

extension String {
    /// ASCII case-insensitive equality with an already lower-case string, without allocating.
    @inline(__always)
    func equalsLowercaseASCII(_ lowercase: String) -> Bool {
        let lhs = self.utf8
        let rhs = lowercase.utf8
        guard lhs.count == rhs.count else { return false }
        for (a, b) in zip(lhs, rhs) {
            let folded = (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z")) ? a | 0x20 : a
            if folded != b { return false }
        }
        return true
    }
}
