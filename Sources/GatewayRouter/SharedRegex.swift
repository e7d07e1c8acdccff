/// A regex compiled once when the router is built and then used by every request, on any thread.
///
/// `@unchecked Sendable`: `Regex<AnyRegexOutput>` is not `Sendable` only because its output type is not.
/// The value is immutable after `init`; its one piece of lazily built state, the lowered matching program,
/// is published by the string-processing library with an atomic compare-and-swap, and `init` builds it
/// up front (by running one match) so requests only ever read it. Matches hand back fresh values.
struct SharedRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>

    /// Compiles `pattern`. Throws the parser's error for a pattern Swift's regex syntax does not accept.
    init(pattern: String, ignoresCase: Bool) throws {
        var regex = try Regex(pattern).matchingSemantics(.unicodeScalar)
        if ignoresCase {
            regex = regex.ignoresCase()
        }
        _ = try? regex.firstMatch(in: "")
        self.regex = regex
    }

    /// The first match in `text`, or `nil`.
    func firstMatch(in text: String) -> Regex<AnyRegexOutput>.Match? {
        // Only custom regex components can throw while matching; a pattern parsed from a string has none.
        (try? regex.firstMatch(in: text)) ?? nil
    }

    /// Whether `text` contains a match (an unanchored search).
    func contains(in text: String) -> Bool {
        firstMatch(in: text) != nil
    }
}
