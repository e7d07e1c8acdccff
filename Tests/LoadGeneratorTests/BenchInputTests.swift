import LoadGenerator
import Testing

/// What `bench` accepts: durations, URLs, plans, headers.
@Suite struct BenchInputTests {
    @Test func durationsTakeUnitsOrBareSeconds() {
        #expect(DurationText.parse("10s") == .seconds(10))
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h") == .seconds(3600))
        #expect(DurationText.parse("10") == .seconds(10))
        #expect(DurationText.parse("0.25") == .milliseconds(250))
        #expect(DurationText.parse("1.5s") == .milliseconds(1500))
        #expect(DurationText.parse(" 0 ") == .zero)
    }

    @Test func durationsRefuseWhatIsNotAPlainNumberWithAUnit() {
        for text in ["", "s", "ms", "-1s", "1M", "1e3", "nan", "inf", ".", "1.2.3s", "10 s", "5d", "9999h"] {
            #expect(DurationText.parse(text) == nil, "\(text)")
        }
    }

    @Test func durationsFormatShortly() {
        #expect(DurationText.format(.seconds(10)) == "10s")
        #expect(DurationText.format(.milliseconds(500)) == "500ms")
        #expect(DurationText.format(.seconds(120)) == "2m")
        #expect(DurationText.format(.milliseconds(1500)) == "1.5s")
        #expect(DurationText.format(.zero) == "0s")
    }

    @Test func urlsSplitIntoConnectionAndRequestParts() throws {
        let url = try #require(TargetURL("HTTPS://API.Example.com:8443/a/b?x=1#frag"))
        #expect(url.scheme == .https)
        #expect(url.host == "api.example.com")
        #expect(url.port == 8443)
        #expect(url.requestTarget == "/a/b?x=1")
        #expect(url.hostHeader == "api.example.com:8443")
        #expect(url.tlsServerName == "api.example.com")
        #expect(url.isTLS)

        let plain = try #require(TargetURL("http://127.0.0.1"))
        #expect(plain.port == 80)
        #expect(plain.requestTarget == "/")
        #expect(plain.hostHeader == "127.0.0.1")
        #expect(plain.tlsServerName == nil)

        let v6 = try #require(TargetURL("https://[::1]:9443/x"))
        #expect(v6.host == "::1")
        #expect(v6.hostHeader == "[::1]:9443")
        #expect(v6.tlsServerName == nil)
        #expect(v6.description == "https://[::1]:9443/x")
    }

    @Test func urlsRefuseWhatCannotBeRequested() {
        for text in [
            "", "example.com", "ftp://h/", "http://", "http:///p", "http://user@h/", "http://h:0/", "http://h:70000/",
            "http://h:x/", "http://h/a b", "http://h/caf\u{E9}", "http://[::1/", "http://h_ost!/",
        ] {
            #expect(TargetURL(text) == nil, "\(text)")
        }
    }

    @Test func plansListEveryProblemNamingItsOption() {
        let plan = LoadPlan(
            target: "http",
            url: "http://h/",
            model: .open(rate: -1),
            connections: 0,
            duration: .zero,
            warmup: .seconds(-1),
            timeout: .zero
        )
        let problems = plan.problems.joined(separator: "\n")
        for option in ["--rate", "--connections", "--duration", "--warmup", "--timeout"] {
            #expect(problems.contains(option), "\(option)")
        }
        #expect(LoadPlan(target: "http", url: "http://h/", model: .closed).problems.isEmpty)
        #expect(LoadPlan(target: "http", url: "http://h/", model: .closed).connections == 64)
        #expect(LoadPlan(target: "http", url: "http://h/", model: .open(rate: 0.5)).problems.isEmpty)
    }

    @Test func headerOptionsSplitAtTheFirstColon() throws {
        let header = try #require(HTTPRequestSource.parseHeader("Authorization:  Bearer a:b "))
        #expect(header.name == "Authorization")
        #expect(header.value == "Bearer a:b")
        #expect(HTTPRequestSource.parseHeader("X-Empty:")?.value == "")
        #expect(HTTPRequestSource.parseHeader("no colon") == nil)
        #expect(HTTPRequestSource.parseHeader("Bad Name: x") == nil)
        #expect(HTTPRequestSource.parseHeader(": x") == nil)
        #expect(HTTPRequestSource.parseHeader("X-Split: a\r\nInjected: b") == nil)
    }
}
