import NIOCore
import Testing

@testable import MockPDP

/// The replay matching rule, without sockets.
@Suite struct ReplayKeyTests {
    static func key(_ phase: MockDecisionRecord.Phase, _ json: String) -> ReplayKey {
        ReplayKey(phase: phase, payload: ByteBuffer(string: json))
    }

    @Test func ignoresSourcePortKeyOrderAndWhitespace() {
        let recorded = Self.key(.request, #"{"source_port":1,"method":"GET","url":"https://a:443/x","headers":[]}"#)
        let live = Self.key(
            .request,
            #"{ "url" : "https://a:443/x", "headers": [ ], "method":"GET", "source_port": 2 }"#
        )
        #expect(recorded == live)
    }

    @Test func distinguishesPhasesPathsHeadersAndBodies() {
        let base = #"{"method":"GET","url":"https://a:443/x","headers":[{"a":"1"}],"body":""}"#
        let keys: Set<ReplayKey> = [
            Self.key(.request, base),
            Self.key(.response, base),
            Self.key(.request, base.replacingOccurrences(of: "/x", with: "/y")),
            Self.key(.request, base.replacingOccurrences(of: #""1""#, with: #""2""#)),
            Self.key(.request, base.replacingOccurrences(of: #""body":"""#, with: #""body":"b""#)),
        ]
        #expect(keys.count == 5)
    }

    @Test func ignoresStateAndTheUpstreamDateInResponseCalls() {
        let first = Self.key(
            .response,
            #"{"method":"GET","url":"u","response_code":"200","headers":[{"Date":"Mon"},{"x":"1"}],"state":"abc"}"#
        )
        let second = Self.key(
            .response,
            #"{"method":"GET","url":"u","response_code":"200","headers":[{"x":"1"},{"date":"Tue"}],"state":"xyz"}"#
        )
        #expect(first == second)
        // In the request phase `state` is not volatile: nothing there is named so.
        #expect(Self.key(.request, #"{"state":"a"}"#) != Self.key(.request, #"{"state":"b"}"#))
    }

    @Test func ignoresTheSourcePortOfAnEchoedRequest() {
        let first = Self.key(.response, #"{"method":"GET","url":"u","request":{"source_port":1,"method":"GET"}}"#)
        let second = Self.key(.response, #"{"method":"GET","url":"u","request":{"method":"GET","source_port":9}}"#)
        #expect(first == second)
    }

    @Test func treatsEquivalentStringEscapesAlike() {
        #expect(Self.key(.request, #"{"url":"\u0041\/b"}"#) == Self.key(.request, #"{"url":"A/b"}"#))
    }

    @Test func matchesANonJSONPayloadByItsExactBytes() {
        #expect(Self.key(.request, "not json") != Self.key(.request, "not json "))
    }
}
