import Foundation
import MockPDP
import TestSupport
import Testing

/// `request_context_method` over real HTTP: how the original request reaches the response phase.
@Suite struct MockPDPContextMethodTests {
    static func rules(_ method: String) -> String {
        """
        settings:
          request_context_method: \(method)
        response_rules:
          - name: banned
            match:
              request:
                headers:
                  x-person: "13"
            deny:
              status: 403
              body: {message: "banned"}
        """
    }

    @Test func stateCarriesTheOriginalRequestToTheResponsePhase() async throws {
        try await withMockPDP(rules: Self.rules("state")) { server in
            let allowed = try await call(server, payload: requestPayload(path: "/persons", headers: [("host", "api.example.com"), ("x-person", "13")]))
            let state = try #require(try allowed.json()["state"] as? String)
            let answer = try await call(
                server,
                path: "/sideband/response",
                payload: responsePayload(path: "/persons", state: state)
            )
            // a response-phase answer is flat (SIDEBAND.md §5): the denial is its status
            #expect(try answer.json()["response_code"] as? String == "403", "\(answer.bodyText)")
        }
    }

    @Test func requestMethodSendsNoStateAndReadsTheEchoedRequest() async throws {
        try await withMockPDP(rules: Self.rules("request")) { server in
            let payload = requestPayload(path: "/persons", headers: [("host", "api.example.com"), ("x-person", "13")])
            let allowed = try await call(server, payload: payload)
            #expect(try allowed.json()["state"] == nil)
            // the gateway then sends the request payload back as `request`
            var described = responsePayload(path: "/persons")
            described.removeLast()
            described += #","request":\#(payload)}"#
            let answer = try await call(server, path: "/sideband/response", payload: described)
            // a response-phase answer is flat (SIDEBAND.md §5): the denial is its status
            #expect(try answer.json()["response_code"] as? String == "403", "\(answer.bodyText)")
        }
    }

    /// The response payload itself carries the original method and url, but the request's headers and body
    /// reach the response phase only through `state` or `request`.
    @Test func noneSendsNoStateAndResponseRulesCannotSeeTheRequestHeaders() async throws {
        try await withMockPDP(rules: Self.rules("none")) { server in
            let payload = requestPayload(path: "/persons", headers: [("host", "api.example.com"), ("x-person", "13")])
            let allowed = try await call(server, payload: payload)
            #expect(try allowed.json()["state"] == nil)
            // Even a gateway that sends the request back (as `request` does) is not heard under `none`: the
            // same call that is denied under `request` passes here.
            var described = responsePayload(path: "/persons")
            described.removeLast()
            described += #","request":\#(payload)}"#
            let answer = try await call(server, path: "/sideband/response", payload: described)
            #expect(try answer.json()["response_code"] as? String == "200", "\(answer.bodyText)")
        }
    }
}
