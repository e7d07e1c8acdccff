import NIOCore
import SidebandProtocol

/// Short descriptions of calls the rules engine did not decide (refused, forwarded, replayed), for logs
/// and the decision log. Parses the payload, so it is kept off the rules-mode path.
enum PayloadSummary {
    /// `METHOD url` of a request call, `METHOD url STATUS` of a response call (as the engine summarises
    /// its own decisions); `(not a sideband payload)` when the payload is not a JSON object.
    static func of(_ payload: ByteBuffer, phase: MockDecisionRecord.Phase) -> String {
        guard let document = try? JSONParser.parse(payload), document.root.kind == .object else {
            return "(not a sideband payload)"
        }
        let root = document.root
        let method = root["method"]?.string ?? "?"
        let url = root["url"]?.string ?? "?"
        switch phase {
        case .request:
            return "\(method) \(url)"
        case .response:
            let code = root["response_code"].flatMap { $0.string ?? $0.numberText } ?? "?"
            return "\(method) \(url) \(code)"
        }
    }

    /// What a provider's answer decided, in the engine's words: `deny` (a request-phase answer with a
    /// `response` object), `allow` (any other request-phase answer), `respond` (a response-phase answer),
    /// or `error` for anything but a 200 with a JSON object; and the status it gives the client:
    /// `response.response_code` of a request-phase deny, `response_code` of a response-phase answer (a
    /// string or a number), nil when the answer carries none. For forwarded and replayed answers; the
    /// mock's own decisions know their status.
    static func inspect(
        answer body: ByteBuffer,
        status: Int,
        phase: MockDecisionRecord.Phase
    ) -> (decision: String, clientStatus: Int?) {
        guard status == 200, let document = try? JSONParser.parse(body), document.root.kind == .object else {
            return ("error", nil)
        }
        switch phase {
        case .request:
            guard let response = document.root["response"], response.kind == .object else { return ("allow", nil) }
            return ("deny", Self.statusCode(response["response_code"]))
        case .response:
            return ("respond", Self.statusCode(document.root["response_code"]))
        }
    }

    private static func statusCode(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        return value.integer ?? value.string.flatMap { Int($0) }
    }
}
