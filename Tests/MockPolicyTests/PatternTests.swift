import NIOCore
import SidebandProtocol
import Testing

@testable import MockPolicy

/// The building blocks of matching and editing, one by one.
@Suite struct PatternTests {
    private func glob(_ pattern: String, isPath: Bool = true) throws -> GlobPattern {
        try GlobPattern.compile(pattern, isPath: isPath).get()
    }

    @Test func pathGlobsBacktrackAndCapture() throws {
        var captures = Captures()
        #expect(try self.glob("/a/*/c").matches("/a/b/c", captures: &captures))
        #expect(try !self.glob("/a/*/c").matches("/a/b/x/c", captures: &captures))
        #expect(try self.glob("/a/**/c").matches("/a/b/x/c", captures: &captures))
        #expect(try self.glob("/a/**").matches("/a/", captures: &captures))
        #expect(try self.glob("*.json").matches("report.json", captures: &captures))
        #expect(try self.glob("/f/{name}.{ext}").matches("/f/a.b.c", captures: &captures))
        #expect(captures.value("name") == "a.b")
        #expect(captures.value("ext") == "c")
        #expect(try !self.glob("/f/{name}").matches("/f/", captures: &captures))
    }

    @Test func valueGlobsCrossSlashesAndKeepBraces() throws {
        var captures = Captures()
        #expect(try self.glob("Bearer *", isPath: false).matches("Bearer a/b", captures: &captures))
        #expect(try self.glob("{x}*", isPath: false).matches("{x}y", captures: &captures))
        #expect(captures.pairs.isEmpty)
    }

    @Test func invalidGlobsAreRefused() {
        #expect(throws: PatternError.self) { try GlobPattern.compile("/a/{id", isPath: true).get() }
        #expect(throws: PatternError.self) { try GlobPattern.compile("/a/{1d}", isPath: true).get() }
        #expect(throws: PatternError.self) { try GlobPattern.compile("/{id}/{id}", isPath: true).get() }
    }

    @Test func stringPatternsPickTheirKindFromTheText() throws {
        var captures = Captures()
        guard case .exact = try StringPattern.parse("/a", dialect: .path).get() else {
            Issue.record("expected exact")
            return
        }
        let host = try StringPattern.parse("API.Example.com", dialect: .host).get()
        #expect(host.matches("api.example.com", captures: &captures))
        let regex = try StringPattern.parse(#"~(?<first>\w+)@(?<domain>[a-z.]+)"#, dialect: .value).get()
        #expect(regex.matches("mail ann@example.org now", captures: &captures))
        #expect(captures.value("first") == "ann")
        #expect(captures.value("domain") == "example.org")
        #expect(regex.captureNames == ["first", "domain"])
    }

    @Test func regexGroupNamesSkipLookbehindsAndEscapes() {
        #expect(RegexPattern.groupNames(#"(?<a>x)(?<=y)(?<!z)\(?<no>)[(?<no2>)](?<b>.)"#) == ["a", "b"])
    }

    @Test func ipRangesCoverIPv4IPv6AndMappedAddresses() throws {
        let v4 = try IPRange.parse("192.168.0.0/16").get()
        #expect(v4.contains("192.168.255.1"))
        #expect(v4.contains("::ffff:192.168.1.1"))
        #expect(!v4.contains("192.169.0.1"))
        #expect(!v4.contains("garbage"))
        let v6 = try IPRange.parse("fe80::/10").get()
        #expect(v6.contains("fe80::1%eth0"))
        #expect(v6.contains("[febf:ffff::1]"))
        #expect(!v6.contains("fec0::1"))
        let single = try IPRange.parse("::1").get()
        #expect(single.contains("0:0:0:0:0:0:0:1"))
        #expect(!single.contains("::2"))
        for invalid in ["1.2.3", "1.2.3.256", "1::2::3", "10.0.0.0/33", "::/129", "1.2.3.4/x"] {
            #expect(throws: PatternError.self, "\(invalid)") { try IPRange.parse(invalid).get() }
        }
    }

    @Test func jsonPathsParseAndLookUp() throws {
        let document = try JSONParser.parse(ByteBuffer(string: #"{"a":{"b":[10,{"c":"x"}]},"d.e":true}"#))
        func value(_ path: String) throws -> String? {
            try JSONPath.parse(path).get().lookup(in: document.root)?.text
        }
        #expect(try value("$.a.b[0]") == "10")
        #expect(try value("a.b[1].c") == "x")
        #expect(try value(#"$["d.e"]"#) == "true")
        #expect(try value("$.a.b[2]") == nil)
        #expect(try value("$.a.b.c") == nil)
        #expect(try value("$") == document.root.rawText)
        for invalid in ["", "$.", "$a", "$.a[", "$.a[-1]", ".a"] {
            #expect(throws: PatternError.self, "\(invalid)") { try JSONPath.parse(invalid).get() }
        }
    }

    @Test func jsonTreeSetAndRemove() throws {
        let document = try JSONParser.parse(ByteBuffer(string: #"{"a":[1,2],"b":{"c":1}}"#))
        var tree = JSONTree(document.root)
        let path = { (text: String) in try JSONPath.parse(text).get().steps[...] }
        #expect(try tree.set(path("$.a[2]"), to: .literal("3")))
        #expect(try !tree.set(path("$.a[5]"), to: .literal("9")))
        #expect(try tree.set(path("$.x.y[0]"), to: .string("new")))
        #expect(try !tree.set(path("$.b.c.d"), to: .literal("1")))
        #expect(try tree.remove(path("$.b.c")))
        #expect(try !tree.remove(path("$.nothing")))
        #expect(tree.text == #"{"a":[1,2,3],"b":{},"x":{"y":["new"]}}"#)
    }

    @Test func queryStringsDecodeEncodeAndRewrite() {
        #expect(QueryString.decode("a+b%20c%2") == "a b c%2")
        #expect(QueryString.encode(#"name co "X/é""#) == "name%20co%20%22X%2F%C3%A9%22")
        let parameters = QueryString.parse("a=1&&b&c=x%3Dy")
        #expect(parameters.map(\.name) == ["a", "b", "c"])
        #expect(parameters.map(\.value) == ["1", "", "x=y"])
        #expect(
            QueryString.rewrite("a=1&b=2&a=3&c=%7E", set: [("a", "x y"), ("d", "4")], remove: ["b"])
                == "a=x%20y&c=%7E&d=4"
        )
        #expect(QueryString.rewrite(nil, set: [], remove: ["a"]) == "")
    }

    @Test func base64URLRoundTripsEveryLength() throws {
        for length in 0..<12 {
            let bytes = ByteBuffer(bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) })
            var encoded = ByteBuffer()
            Base64URL.encode(bytes, into: &encoded)
            #expect(!encoded.readableBytesView.contains(UInt8(ascii: "=")))
            #expect(Base64URL.decode(encoded.readableBytesView) == bytes, "\(length)")
        }
        #expect(Base64URL.decode("aGk=".utf8) == ByteBuffer(string: "hi"))
        #expect(Base64URL.decode("a".utf8) == nil)
        #expect(Base64URL.decode("a$bc".utf8) == nil)
    }

    @Test func statusPatterns() {
        #expect(StatusPattern.parse("404")?.range == 404...404)
        #expect(StatusPattern.parse("5XX")?.range == 500...599)
        #expect(StatusPattern.parse("200-204")?.range == 200...204)
        #expect(StatusPattern.parse("204-200") == nil)
        #expect(StatusPattern.parse("0xx") == nil)
    }

    @Test func payloadURLsSplitIntoOriginPathQueryAndHost() {
        let full = SidebandRequest.split("https://user@API.example.com:8443/a/b?x=1#frag")
        #expect(full.origin == "https://user@API.example.com:8443")
        #expect(full.path == "/a/b")
        #expect(full.query == "x=1")
        #expect(full.host == "api.example.com")
        let bare = SidebandRequest.split("http://[::1]:80")
        #expect(bare.path == "/")
        #expect(bare.query == nil)
        #expect(bare.host == "::1")
        let originForm = SidebandRequest.split("/only/path?")
        #expect(originForm.origin == "")
        #expect(originForm.path == "/only/path")
        #expect(originForm.query == "")
    }
}
