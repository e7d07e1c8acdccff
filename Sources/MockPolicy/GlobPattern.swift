/// A wildcard pattern, compiled once when the rules are loaded and matched without regular expressions.
///
/// - `*` matches any run of characters, empty included. In path patterns it stops at `/` (one segment);
///   `**` matches across segments (`/files/**` matches `/files/a/b`, and `/demo/admin**` matches
///   `/demo/admin`, `/demo/admin/users` and `/demo/administrators`).
/// - In path patterns, `{name}` matches one non-empty segment and captures it as `captures.name`.
/// - Everything else is literal, compared byte for byte (host patterns are lower-cased, as hosts are).
///
/// Matching backtracks over the tokens; patterns written by hand have a few wildcards at most.
struct GlobPattern: Sendable {
    enum Token: Sendable, Equatable {
        case literal([UInt8])
        /// Any run of bytes (not `/` in path patterns).
        case star
        /// Any run of bytes, `/` included (path patterns only).
        case doubleStar
        /// One or more bytes other than `/` (path patterns only), captured.
        case capture(String)
    }

    let tokens: [Token]
    /// Whether `*` stops at `/` and `{name}` captures are recognised.
    let isPath: Bool

    /// The capture names, in pattern order.
    var captureNames: [String] {
        self.tokens.compactMap {
            if case .capture(let name) = $0 { return name }
            return nil
        }
    }

    /// Whether `text` needs a glob at all (otherwise it is compared for equality).
    static func hasWildcards(_ text: String, isPath: Bool) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "*") || (isPath && $0 == UInt8(ascii: "{")) }
    }

    /// Compiles `text`; the error is a message for the rules author.
    static func compile(_ text: String, isPath: Bool) -> Result<GlobPattern, PatternError> {
        let bytes = Array(text.utf8)
        var tokens: [Token] = []
        var literal: [UInt8] = []
        var index = 0
        func flush() {
            if !literal.isEmpty { tokens.append(.literal(literal)) }
            literal = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "*") {
                flush()
                if isPath && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*") {
                    tokens.append(.doubleStar)
                    index += 2
                } else {
                    tokens.append(.star)
                    index += 1
                }
                while index < bytes.count && bytes[index] == UInt8(ascii: "*") { index += 1 }
            } else if isPath && byte == UInt8(ascii: "{") {
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) else {
                    return .failure(PatternError("'{' without a closing '}' in \"\(text)\""))
                }
                let name = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                guard Self.isCaptureName(name) else {
                    return .failure(
                        PatternError("\"{\(name)}\" is not a capture: names are letters, digits and _ (e.g. {id})")
                    )
                }
                if tokens.contains(.capture(name)) {
                    return .failure(PatternError("capture {\(name)} appears twice in \"\(text)\""))
                }
                flush()
                tokens.append(.capture(name))
                index = close + 1
            } else {
                literal.append(byte)
                index += 1
            }
        }
        flush()
        return .success(GlobPattern(tokens: tokens, isPath: isPath))
    }

    static func isCaptureName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            return false
        }
        return name.utf8.allSatisfy {
            ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
    }

    /// Whether the whole of `text` matches; on success the captures are added to `captures`.
    func matches(_ text: String, captures: inout Captures) -> Bool {
        var text = text
        var found: [(name: String, range: Range<Int>)] = []
        let matched = text.withUTF8 { bytes in
            self.match(bytes, tokenIndex: 0, position: 0, found: &found)
        }
        guard matched else { return false }
        if !found.isEmpty {
            let utf8 = Array(text.utf8)
            for capture in found {
                captures.set(capture.name, String(decoding: utf8[capture.range], as: UTF8.self))
            }
        }
        return true
    }

    private func match(
        _ bytes: UnsafeBufferPointer<UInt8>,
        tokenIndex: Int,
        position: Int,
        found: inout [(name: String, range: Range<Int>)]
    ) -> Bool {
        guard tokenIndex < self.tokens.count else { return position == bytes.count }
        switch self.tokens[tokenIndex] {
        case .literal(let literal):
            guard position + literal.count <= bytes.count else { return false }
            for offset in 0..<literal.count where bytes[position + offset] != literal[offset] { return false }
            return self.match(bytes, tokenIndex: tokenIndex + 1, position: position + literal.count, found: &found)
        case .star, .doubleStar, .capture:
            let token = self.tokens[tokenIndex]
            let crossesSlash = token == .doubleStar || !self.isPath
            // The longest run this token may take, then shorter ones (greedy with backtracking).
            var end = position
            while end < bytes.count && (crossesSlash || bytes[end] != UInt8(ascii: "/")) { end += 1 }
            var isCapture = false
            if case .capture = token { isCapture = true }
            let shortest = isCapture ? position + 1 : position
            guard end >= shortest else { return false }
            var candidate = end
            while candidate >= shortest {
                if case .capture(let name) = token {
                    found.append((name, position..<candidate))
                    if self.match(bytes, tokenIndex: tokenIndex + 1, position: candidate, found: &found) { return true }
                    found.removeLast()
                } else if self.match(bytes, tokenIndex: tokenIndex + 1, position: candidate, found: &found) {
                    return true
                }
                candidate -= 1
            }
            return false
        }
    }
}

/// Why a pattern (glob, regex, JSON path, address range) could not be compiled: a message for the rules
/// author.
struct PatternError: Error, Sendable {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
