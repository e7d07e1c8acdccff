import Testing

@testable import GatewayConfig

@Suite struct ListenAddressTests {
    @Test func bracketedIPv6IsParsedWithoutBrackets() {
        #expect(ListenAddress.parse("[::1]:8000") == ListenAddress(host: "::1", port: 8000, ssl: false))
    }

    @Test func sslFlagMarksATLSListener() {
        #expect(ListenAddress.parse("0.0.0.0:8443 ssl") == ListenAddress(host: "0.0.0.0", port: 8443, ssl: true))
    }

    @Test func http2IsAcceptedAndIgnored() {
        #expect(
            ListenAddress.parse("127.0.0.1:8443 ssl http2") == ListenAddress(host: "127.0.0.1", port: 8443, ssl: true)
        )
        #expect(ListenAddress.parse("localhost:8000 http2") == ListenAddress(host: "localhost", port: 8000))
    }

    @Test func portZeroIsAllowedForEphemeralPorts() {
        #expect(ListenAddress.parse("127.0.0.1:0")?.port == 0)
    }

    @Test(arguments: [
        "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:http", "::1:8000", "[::1:8000", "[127.0.0.1]:80",
        "127.0.0.1:8000 reuseport", "127.0.0.1:8000 backlog=16384", "", "exa mple:80", "bad/host:80",
    ])
    func invalidAddressesAreRefused(_ text: String) {
        #expect(ListenAddress.parse(text) == nil)
    }

    @Test func descriptionRoundTrips() {
        for text in ["127.0.0.1:8000", "[::1]:8443 ssl", "localhost:0"] {
            #expect(ListenAddress.parse(text)?.description == text)
        }
    }

    @Test func proxyListenAcceptsAKongConfCommaString() throws {
        let yaml = """
            _format_version: "3.0"
            proxy:
              listen: "127.0.0.1:8000, [::1]:8001"
            """
        let config = try ConfigFixtures.load(yaml)
        #expect(
            config.proxy.listen == [
                ListenAddress(host: "127.0.0.1", port: 8000), ListenAddress(host: "::1", port: 8001),
            ]
        )
    }

    @Test func unsupportedFlagIsNamedInTheProblem() {
        let yaml = """
            _format_version: "3.0"
            proxy:
              listen: ["127.0.0.1:8000", "127.0.0.1:8001 reuseport"]
            """
        expectProblem(yaml, at: "proxy.listen[1]", "flag 'reuseport' is not supported")
    }
}

@Suite struct IPRangeTests {
    @Test func ipv4CIDRContainsItsAddressesOnly() throws {
        let range = try #require(IPRange.parse("10.0.0.0/8"))
        #expect(range.contains("10.0.0.0"))
        #expect(range.contains("10.255.255.255"))
        #expect(!range.contains("11.0.0.0"))
        #expect(!range.contains("9.255.255.255"))
        #expect(range.description == "10.0.0.0/8")
    }

    @Test func ipv4RangeMatchesIPv4MappedIPv6Clients() throws {
        let range = try #require(IPRange.parse("192.168.1.0/24"))
        #expect(range.contains("::ffff:192.168.1.7"))
        #expect(!range.contains("::ffff:192.168.2.7"))
    }

    @Test func singleAddressesAreExactRanges() throws {
        let v4 = try #require(IPRange.parse("203.0.113.24"))
        #expect(v4.contains("203.0.113.24"))
        #expect(!v4.contains("203.0.113.25"))
        let v6 = try #require(IPRange.parse("::1"))
        #expect(v6.contains("::1"))
        #expect(v6.contains("0:0:0:0:0:0:0:1"))
        #expect(!v6.contains("::2"))
    }

    @Test func ipv6CIDRContainsItsAddressesOnly() throws {
        let range = try #require(IPRange.parse("2001:db8::/32"))
        #expect(range.contains("2001:db8::1"))
        #expect(range.contains("2001:DB8:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(!range.contains("2001:db9::1"))
        #expect(!range.contains("10.0.0.1"))
        let odd = try #require(IPRange.parse("fe80::/65"))
        #expect(odd.contains("fe80::7fff:ffff:ffff:ffff"))
        #expect(!odd.contains("fe80::8000:0:0:0"))
        #expect(odd.contains("fe80::1%eth0"))
    }

    @Test func wholeSpacesMatchTheirFamilyOnly() throws {
        let all4 = try #require(IPRange.parse("0.0.0.0/0"))
        let all6 = try #require(IPRange.parse("::/0"))
        #expect(all4.contains("1.2.3.4") && all4.contains("255.255.255.255"))
        #expect(!all4.contains("2001:db8::1"))
        #expect(all6.contains("2001:db8::1") && all6.contains("::"))
        #expect(!all6.contains("1.2.3.4"))
    }

    @Test func hostBitsBelowThePrefixAreIgnored() throws {
        let range = try #require(IPRange.parse("10.1.2.3/16"))
        #expect(range.contains("10.1.200.200"))
        #expect(!range.contains("10.2.0.0"))
    }

    @Test(arguments: [
        "10.0.0.0/33", "::/129", "300.1.1.1", "1.2.3", "1.2.3.4.5", "1::2::3", "12345::", "abc", "", "10.0.0.0/",
        "10.0.0.0/-1", "fe80::1%eth0", ":::",
    ])
    func invalidRangesAreRefused(_ text: String) {
        #expect(IPRange.parse(text) == nil)
    }

    @Test func unparsableAddressesAreNotContained() throws {
        let range = try #require(IPRange.parse("0.0.0.0/0"))
        #expect(!range.contains("not an address"))
        #expect(!range.contains(""))
    }

    @Test func trustedIPsAreReadFromTheProxySection() throws {
        let yaml = """
            _format_version: "3.0"
            proxy:
              trusted_ips: ["10.0.0.0/8", "::1", 192.168.0.1]
            """
        let config = try ConfigFixtures.load(yaml)
        #expect(config.proxy.trustedIPs.map(\.description) == ["10.0.0.0/8", "::1", "192.168.0.1"])
    }
}
