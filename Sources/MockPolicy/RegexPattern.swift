import Foundation

/// A regular expression written as `~pattern` in a rules file, compiled once at load time (ICU syntax,
/// through `NSRegularExpression`). Named groups `(?<name>...)` become captures.
///
/// It searches: `~admin` matches any value that contains `admin`; anchor with `^` and `$` to match the
/// whole value.
struct RegexPattern: Sendable {
    let regex: NSRegularExpression
    /// Names of the `(?<name>...)` groups, in pattern order.
    let captureNames: [String]

    static func compile(_ pattern: String) -> Result<RegexPattern, PatternError> {
        do {
            let regex = try NSRegularExpression(pattern: pattern)
            return .success(RegexPattern(regex: regex, captureNames: Self.groupNames(pattern)))
        } catch {
            return .failure(PatternError("invalid regular expression \"\(pattern)\""))
        }
    }

    /// Whether `text` contains a match; on success the named groups that took part are added to
    /// `captures`.
    func matches(_ text: String, captures: inout Captures) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        guard let match = self.regex.firstMatch(in: text, range: range) else { return false }
        for name in self.captureNames {
            let groupRange = match.range(withName: name)
            if groupRange.location != NSNotFound, let bounds = Range(groupRange, in: text) {
                captures.set(name, String(text[bounds]))
            }
        }
        return true
    }

    /// The names of `(?<name>` groups, skipping escaped parentheses, `(?<=` and `(?<!` look-behinds.
    static func groupNames(_ pattern: String) -> [String] {
        let bytes = Array(pattern.utf8)
        var names: [String] = []
        var index = 0
        var inClass = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if inClass {
                if byte == UInt8(ascii: "]") { inClass = false }
            } else if byte == UInt8(ascii: "[") {
                inClass = true
            } else if byte == UInt8(ascii: "("), index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "?"),
                bytes[index + 2] == UInt8(ascii: "<"), bytes[index + 3] != UInt8(ascii: "="),
                bytes[index + 3] != UInt8(ascii: "!"),
                let close = bytes[(index + 3)...].firstIndex(of: UInt8(ascii: ">"))
            {
                names.append(String(decoding: bytes[(index + 3)..<close], as: UTF8.self))
                index = close
            }
            index += 1
        }
        return names
    }
}
