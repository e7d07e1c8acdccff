import Testing

@testable import SidebandClient

@Suite struct SidebandEndpointTests {
    @Test func aBareHTTPSURLUsesPort443AndTheRootPaths() throws {
        let endpoint = try #require(SidebandEndpoint(serviceURL: "https://paz.example"))
        #expect(endpoint.scheme == .https)
        #expect(endpoint.tls)
        #expect(endpoint.host == "paz.example")
        #expect(endpoint.port == 443)
        #expect(endpoint.hostHeader == "paz.example:443")
        #expect(endpoint.requestPath == "/sideband/request")
        #expect(endpoint.responsePath == "/sideband/response")
    }

    @Test func aBareHTTPURLUsesPort80WithoutTLS() throws {
        let endpoint = try #require(SidebandEndpoint(serviceURL: "http://paz"))
        #expect(endpoint.scheme == .http)
        #expect(!endpoint.tls)
        #expect(endpoint.port == 80)
        #expect(endpoint.hostHeader == "paz:80")
    }

    @Test func anExplicitPortIsUsedAndAlwaysWrittenInTheHostHeader() throws {
        let endpoint = try #require(SidebandEndpoint(serviceURL: "https://paz:8443/"))
        #expect(endpoint.port == 8443)
        #expect(endpoint.hostHeader == "paz:8443")
        #expect(endpoint.requestPath == "/sideband/request")
        #expect(SidebandEndpoint(serviceURL: "https://paz:443")?.hostHeader == "paz:443")
    }

    @Test func aTrailingSlashMakesNoDifference() {
        #expect(SidebandEndpoint(serviceURL: "https://paz:8443/") == SidebandEndpoint(serviceURL: "https://paz:8443"))
        #expect(SidebandEndpoint(serviceURL: "https://h/prefix/") == SidebandEndpoint(serviceURL: "https://h/prefix"))
    }

    @Test func aPathPrefixIsJoinedWithExactlyOneSlash() throws {
        for url in ["https://h/prefix", "https://h/prefix/", "https://h/prefix//"] {
            let endpoint = try #require(SidebandEndpoint(serviceURL: url))
            #expect(endpoint.requestPath == "/prefix/sideband/request", "\(url)")
            #expect(endpoint.responsePath == "/prefix/sideband/response", "\(url)")
        }
        #expect(SidebandEndpoint(serviceURL: "http://127.0.0.1:9100/base/")?.requestPath == "/base/sideband/request")
        #expect(SidebandEndpoint(serviceURL: "https://h/a/b")?.responsePath == "/a/b/sideband/response")
    }

    @Test func aQueryIsKeptVerbatimAfterThePath() throws {
        let endpoint = try #require(SidebandEndpoint(serviceURL: "https://h/p?x=1&y=%20"))
        #expect(endpoint.requestPath == "/p/sideband/request?x=1&y=%20")
        #expect(endpoint.responsePath == "/p/sideband/response?x=1&y=%20")
        #expect(SidebandEndpoint(serviceURL: "https://h/p/?x=1")?.requestPath == "/p/sideband/request?x=1")
        #expect(SidebandEndpoint(serviceURL: "https://h?x=1")?.requestPath == "/sideband/request?x=1")
        #expect(SidebandEndpoint(serviceURL: "https://h:8443?x=1")?.port == 8443)
    }

    @Test func anEmptyQueryIsDropped() {
        #expect(SidebandEndpoint(serviceURL: "https://h/p?")?.requestPath == "/p/sideband/request")
    }

    @Test func theSchemeAndHostAreMatchedWithoutRegardToCase() throws {
        let endpoint = try #require(SidebandEndpoint(serviceURL: "HTTPS://PAZ.Example:8443/Prefix"))
        #expect(endpoint.scheme == .https)
        #expect(endpoint.host == "paz.example")
        #expect(endpoint.requestPath == "/Prefix/sideband/request")
    }

    @Test func anIPv6HostIsBracketedInTheHostHeaderOnly() throws {
        let endpoint = try #require(SidebandEndpoint(serviceURL: "https://[::1]:8443/"))
        #expect(endpoint.host == "::1")
        #expect(endpoint.port == 8443)
        #expect(endpoint.hostHeader == "[::1]:8443")
        #expect(SidebandEndpoint(serviceURL: "http://[2001:DB8::1]")?.hostHeader == "[2001:db8::1]:80")
    }

    @Test func theTLSServerNameIsTheHostNameButNeverAnIPAddress() {
        #expect(SidebandEndpoint(serviceURL: "https://paz.example")?.tlsServerName == "paz.example")
        #expect(SidebandEndpoint(serviceURL: "https://paz.example.")?.tlsServerName == "paz.example")
        #expect(SidebandEndpoint(serviceURL: "https://127.0.0.1:9443")?.tlsServerName == nil)
        #expect(SidebandEndpoint(serviceURL: "https://[::1]:9443")?.tlsServerName == nil)
    }

    @Test func theDescriptionNamesTheBaseURLWithoutTheQuery() {
        #expect(SidebandEndpoint(serviceURL: "https://h/prefix/?x=1")?.description == "https://h:443/prefix")
        #expect(SidebandEndpoint(serviceURL: "http://[::1]")?.description == "http://[::1]:80")
    }

    @Test func unusableURLsAreRefused() {
        for url in [
            "",
            "paz:8443",
            "ftp://paz",
            "https//paz",
            "https://",
            "https:///path",
            "https://:8443",
            "https://paz:",
            "https://paz:0",
            "https://paz:65536",
            "https://paz:123456",
            "https://paz:8a",
            "https://paz:-1",
            "https://user:pass@paz",
            "https://paz/#frag",
            "https://paz/a b",
            "https://paz/a\r\nX-Injected: 1",
            "https://paz/?q=\u{7F}",
            "https://paz/caf\u{E9}",
            "https://pa z",
            "https://paz\r\n",
            "https://[::1",
            "https://[]",
            "https://[127.0.0.1]",
            "https://[::1]x",
            "https://[fe80::1%25eth0]",
        ] {
            #expect(SidebandEndpoint(serviceURL: url) == nil, "\(url.debugDescription)")
        }
    }
}
