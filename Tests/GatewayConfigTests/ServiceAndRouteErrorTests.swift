import Testing

@testable import GatewayConfig

/// One test per kind of mistake in services and routes, each asserting the exact path and the message.
@Suite struct ServiceAndRouteErrorTests {
    /// A document with one service whose body is `service` (indented under `- `) and one route `route`.
    static func service(_ service: String, route: String = "paths: [\"/\"]") -> String {
        """
        _format_version: "3.0"
        services:
          - \(service.split(separator: "\n").joined(separator: "\n    "))
            routes:
              - \(route.split(separator: "\n").joined(separator: "\n        "))
        """
    }

    @Test func numberWrittenAsStringIsATypeError() {
        expectProblem(
            Self.service("host: a\nport: \"abc\""),
            at: "services[0].port",
            "expected an integer, got \"abc\""
        )
    }

    @Test func portOutOfRangeIsReported() {
        expectProblem(
            Self.service("host: a\nport: 70000"),
            at: "services[0].port",
            "must be between 1 and 65535, got 70000"
        )
    }

    @Test func booleanWrittenAsStringIsATypeError() {
        expectProblem(
            Self.service("host: a", route: "paths: [\"/\"]\nstrip_path: \"true\""),
            at: "services[0].routes[0].strip_path",
            "expected a boolean, got \"true\""
        )
    }

    @Test func unknownServiceFieldIsReported() {
        expectProblem(Self.service("host: a\nhostname: b"), at: "services[0].hostname", "unknown field")
    }

    @Test func hostIsRequiredWithoutURL() {
        expectProblem(Self.service("name: a"), at: "services[0].host", "required field missing")
    }

    @Test func urlCannotBeCombinedWithItsParts() {
        expectProblem(
            Self.service("url: http://a:80\nport: 81"),
            at: "services[0].port",
            "cannot be set together with 'url'"
        )
    }

    @Test func urlSchemeMustBeHttpOrHttps() {
        expectProblem(Self.service("url: ftp://a"), at: "services[0].url", "scheme must be http or https")
        expectProblem(Self.service("url: a.internal:80"), at: "services[0].url", "scheme must be http or https")
    }

    @Test func otherKongProtocolsAreNotSupported() {
        expectProblem(
            Self.service("host: a\nprotocol: grpc"),
            at: "services[0].protocol",
            "protocol 'grpc' is not supported by ping-auth-proxy (only http and https)"
        )
        expectProblem(
            Self.service("host: a", route: "paths: [\"/\"]\nprotocols: [http, ws]"),
            at: "services[0].routes[0].protocols[1]",
            "protocol 'ws' is not supported by ping-auth-proxy"
        )
    }

    @Test func unsupportedServiceFieldsAreNamed() {
        expectProblem(
            Self.service("host: a\nclient_certificate: {id: x}"),
            at: "services[0].client_certificate",
            "client_certificate is not supported by ping-auth-proxy"
        )
    }

    @Test func servicePathMustBeAbsolute() {
        expectProblem(Self.service("host: a\npath: api"), at: "services[0].path", "path must start with /")
    }

    @Test func serviceNamesMustBeValidAndUnique() {
        let yaml = """
            _format_version: "3.0"
            services:
              - {name: orders, host: a}
              - {name: orders, host: b}
              - {name: "bad name", host: c}
            """
        expectProblem(yaml, at: "services[1].name", "duplicate service name 'orders' (first at services[0])")
        expectProblem(yaml, at: "services[2].name", "invalid name 'bad name'")
    }

    @Test func routeNamesMustBeUniqueAcrossNestedAndTopLevelRoutes() {
        let yaml = """
            _format_version: "3.0"
            services:
              - {name: s, host: a, routes: [{name: r, paths: ["/a"]}]}
            routes:
              - {name: r, paths: ["/b"]}
            """
        expectProblem(yaml, at: "routes[0].name", "duplicate route name 'r' (first at services[0].routes[0])")
    }

    @Test func routeNeedsAtLeastOneMatcher() {
        expectProblem(
            Self.service("host: a", route: "name: bare"),
            at: "services[0].routes[0]",
            "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
        )
    }

    @Test func routePathsMustBePrefixesOrValidRegexes() {
        expectProblem(
            Self.service("host: a", route: "paths: [\"/ok\", \"orders\", \"~/(unclosed\"]"),
            at: "services[0].routes[0].paths[1]",
            "path must start with / (or ~ for a regex)"
        )
        expectProblem(
            Self.service("host: a", route: "paths: [\"/ok\", \"orders\", \"~/(unclosed\"]"),
            at: "services[0].routes[0].paths[2]",
            "invalid regex '/(unclosed'"
        )
    }

    @Test func hostHeaderMustUseHosts() {
        expectProblem(
            Self.service("host: a", route: "headers: {Host: [example.com]}"),
            at: "services[0].routes[0].headers.Host",
            "cannot contain 'host' header, which must be specified in the 'hosts' attribute"
        )
    }

    @Test func headerValuesMustBeAListOfStrings() {
        expectProblem(
            Self.service("host: a", route: "headers: {x-version: 2}"),
            at: "services[0].routes[0].headers.x-version",
            "expected a list, got 2"
        )
    }

    @Test func wildcardHostsFollowKongsRule() {
        expectProblem(
            Self.service("host: a", route: "hosts: [\"a.*.example.com\"]"),
            at: "services[0].routes[0].hosts[0]",
            "must be placed at leftmost or rightmost label"
        )
    }

    @Test func methodsMustBeTokens() {
        expectProblem(
            Self.service("host: a", route: "methods: [\"GE T\"]"),
            at: "services[0].routes[0].methods[0]",
            "'GE T' is not a valid method"
        )
    }

    @Test func snisNeedHttps() {
        expectProblem(
            Self.service("host: a", route: "protocols: [http]\nsnis: [a.example]"),
            at: "services[0].routes[0].snis",
            "'snis' can only be set when 'protocols' is 'https'"
        )
    }

    @Test func pathHandlingV1IsNotSupported() {
        expectProblem(
            Self.service("host: a", route: "paths: [\"/\"]\npath_handling: v1"),
            at: "services[0].routes[0].path_handling",
            "path_handling 'v1' is not supported by ping-auth-proxy"
        )
    }

    @Test func redirectCodeMustBeOneOfKongs() {
        expectProblem(
            Self.service("host: a", route: "paths: [\"/\"]\nhttps_redirect_status_code: 303"),
            at: "services[0].routes[0].https_redirect_status_code",
            "expected one of 426, 301, 302, 307, 308, got 303"
        )
    }

    @Test func streamRouteFieldsAreNotSupported() {
        expectProblem(
            Self.service("host: a", route: "paths: [\"/\"]\nsources: [{ip: 10.0.0.1}]"),
            at: "services[0].routes[0].sources",
            "sources is not supported by ping-auth-proxy"
        )
    }

    @Test func nestedRoutesMustNotNameAService() {
        expectProblem(
            Self.service("name: s\nhost: a", route: "paths: [\"/\"]\nservice: s"),
            at: "services[0].routes[0].service",
            "a route nested in a service must not set 'service'"
        )
    }

    @Test func topLevelRouteMustReferenceAnExistingService() {
        let yaml = """
            _format_version: "3.0"
            routes:
              - {paths: ["/a"], service: missing}
              - {paths: ["/b"], service: {id: 123e4567-e89b-12d3-a456-426614174000}}
            """
        expectProblem(yaml, at: "routes[0].service", "service 'missing' not found")
        expectProblem(yaml, at: "routes[1].service", "service with id '123e4567-e89b-12d3-a456-426614174000' not found")
    }

    @Test func listsMustBeLists() {
        expectProblem(
            "_format_version: \"3.0\"\nservices: {name: a}\n",
            at: "services",
            "expected a list, got a mapping"
        )
    }
}
