/// Kong's request postfix: what remains of the path once a stripping route's match is removed.
enum StripPath {
    /// `path` without its first `droppingBytes` bytes, sanitised as Kong does: `.` and `..` become `""`, and
    /// one leading `./` or `../` is dropped (so a prefix like `/foo` on `/foo../x` cannot smuggle a `..`).
    static func postfix(of path: String, droppingBytes count: Int) -> String {
        let utf8 = path.utf8
        var start = utf8.index(utf8.startIndex, offsetBy: max(count, 0), limitedBy: utf8.endIndex) ?? utf8.endIndex
        let rest = utf8[start...]
        if rest.elementsEqual(".".utf8) || rest.elementsEqual("..".utf8) {
            return ""
        }
        if rest.starts(with: "./".utf8) {
            start = utf8.index(start, offsetBy: 2)
        } else if rest.starts(with: "../".utf8) {
            start = utf8.index(start, offsetBy: 3)
        }
        return String(decoding: utf8[start...], as: UTF8.self)
    }
}
