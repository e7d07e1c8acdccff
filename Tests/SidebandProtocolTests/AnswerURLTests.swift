import Testing

@testable import SidebandProtocol

@Suite struct AnswerURLTests {
    @Test func splitsAbsoluteURLs() throws {
        let url = try #require(AnswerURL.parse("HTTPS://API.Example.com:8443/a/B?x=1&Y=2#frag"))
        #expect(url == AnswerURL(scheme: "https", host: "api.example.com", port: 8443, path: "/a/B", query: "x=1&Y=2"))
        #expect(url.effectivePort == 8443)
    }

    @Test func defaultsThePortByScheme() throws {
        #expect(try #require(AnswerURL.parse("http://h/")).effectivePort == 80)
        #expect(try #require(AnswerURL.parse("https://h/")).effectivePort == 443)
        #expect(try #require(AnswerURL.parse("https://h:/")).effectivePort == 443)
        #expect(try #require(AnswerURL.parse("ftp://h/")).effectivePort == nil)
    }

    @Test func anEmptyPathIsTheRootAndAnEmptyQueryIsNone() throws {
        #expect(AnswerURL.parse("https://h") == AnswerURL(scheme: "https", host: "h", port: nil, path: "/", query: nil))
        #expect(
            AnswerURL.parse("https://h?q") == AnswerURL(scheme: "https", host: "h", port: nil, path: "/", query: "q")
        )
        #expect(AnswerURL.parse("https://h/p?")?.query == nil)
    }

    @Test func acceptsIPv6Literals() {
        #expect(
            AnswerURL.parse("http://[::1]:8000/x")
                == AnswerURL(scheme: "http", host: "[::1]", port: 8000, path: "/x", query: nil)
        )
        #expect(AnswerURL.parse("http://[2001:DB8::1]/")?.host == "[2001:db8::1]")
    }

    @Test func acceptsOriginFormPaths() {
        #expect(
            AnswerURL.parse("/only/path?q=1")
                == AnswerURL(scheme: nil, host: nil, port: nil, path: "/only/path", query: "q=1")
        )
    }

    @Test func percentEncodesWhatARequestLineCannotCarry() {
        #expect(AnswerURL.parse("http://h/caf\u{E9}/sp ace?q=a b\t")?.path == "/caf%C3%A9/sp%20ace")
        #expect(AnswerURL.parse("http://h/p?q=a b\r\n")?.query == "q=a%20b%0D%0A")
        #expect(AnswerURL.parse("http://h/%2F%zz")?.path == "/%2F%zz")
    }

    @Test func refusesWhatCannotBeAURL() {
        let bad = [
            "", "nonsense", "h:80/x", "://h/", "1http://h/", "http://", "http:///p", "http://user@h/", "http://h:x/",
            "http://h:0/", "http://h:65536/", "http://h:123456/", "http://a b/", "http://h\r\n/", "http://[::1/",
            "http://[]/", "http://[::1]x/", "http://[zz]/", "//h/p", "http://h\u{E9}/",
        ]
        for url in bad {
            #expect(AnswerURL.parse(url) == nil, "\(url.debugDescription)")
        }
    }
}
