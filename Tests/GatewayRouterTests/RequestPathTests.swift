import GatewayRouter
import Testing

@Suite("RequestPath.normalize")
struct RequestPathTests {
    @Test(arguments: [
        // The examples of SIDEBAND.md and the brief.
        ("/a/./b/../c/%7Euser/%2f/x%41/caf%C3%A9/sp%20ace", "/a/c/~user/%2F/xA/caf%C3%A9/sp%20ace"),
        ("//double//slash/", "/double/slash/"),
        ("/../x", "/x"),
        ("/a/..", "/"),
        ("/%2e%2e/etc", "/etc"),
        // Already normal: returned as is.
        ("/", "/"),
        ("/plain/path", "/plain/path"),
        ("/trailing/", "/trailing/"),
        ("/a;b=c/@:!$&'()*+,=", "/a;b=c/@:!$&'()*+,="),
        ("/.../x", "/.../x"),
        ("/a.b/.c/..d/", "/a.b/.c/..d/"),
        // Escapes: unreserved decoded, the rest upper-cased.
        ("/%41%42%2D%5f%7e%30", "/AB-_~0"),
        ("/caf%c3%a9", "/caf%C3%A9"),
        ("/a%2fb", "/a%2Fb"),
        ("/%25", "/%25"),
        // Bytes that may not stay raw are encoded.
        ("/sp ace", "/sp%20ace"),
        ("/café", "/caf%C3%A9"),
        ("/q\"<>\\^`{|}", "/q%22%3C%3E%5C%5E%60%7B%7C%7D"),
        ("/tab\there", "/tab%09here"),
        ("/a#b[c]", "/a%23b%5Bc%5D"),
        // Dot segments, including encoded ones, and merged slashes.
        ("/a/b/.", "/a/b/"),
        ("/a/b/..", "/a/"),
        ("/a/./b", "/a/b"),
        ("/%2E/x", "/x"),
        ("/a//../b", "/b"),
        ("/a/b/../../../../c", "/c"),
        ("/x/%2E%2E%2Fetc", "/x/..%2Fetc"),
        ("/x/.%2e/y", "/y"),
        ("///", "/"),
    ])
    func normalisesToTheSingleCanonicalForm(raw: String, expected: String) {
        #expect(RequestPath.normalize(raw) == expected)
    }

    @Test(arguments: ["", "a/b", "*", "/%zz", "/%4", "/%", "/a%0g", "/a%00b", "/a\u{0}b", "/%2e%2", "?x"])
    func refusesPathsThatAreNotValid(raw: String) {
        #expect(RequestPath.normalize(raw) == nil)
    }

    @Test func acceptsASubstring() {
        let target = "/a/../b?query=1"
        let path = target[..<target.firstIndex(of: "?")!]
        #expect(RequestPath.normalize(path) == "/b")
    }

    @Test func normalisingTwiceChangesNothing() {
        let samples = ["/a/./b/../c/%7Euser/%2f/x%41/caf%C3%A9/sp%20ace", "//x//y/..", "/%2e%2e/%2F/ü"]
        for sample in samples {
            let once = RequestPath.normalize(sample)
            #expect(once != nil)
            #expect(once.flatMap(RequestPath.normalize) == once)
        }
    }
}
