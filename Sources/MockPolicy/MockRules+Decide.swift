import NIOCore
import SidebandProtocol

extension MockRules {
    /// Applies a request rule's outcome.
    func decide(_ request: SidebandRequest, payload: ByteBuffer, rule: RequestRule, captures: Captures) -> MockAnswer {
        let context = EvaluationContext(request: request, captures: captures)
        let statePayload = self.settings.requestContextMethod == .state ? payload : nil
        let body: ByteBuffer
        let decision: String
        var clientStatus: Int?
        switch rule.outcome {
        case .deny(let deny):
            let rendered = deny.render(context)
            body = AnswerWriter.requestDeny(status: rendered.status, headers: rendered.headers, body: rendered.body)
            decision = "deny"
            clientStatus = rendered.status
        case .allow(let changes) where changes.isEmpty:
            // `root` exists: the payload was validated as an object.
            body = AnswerWriter.allowUnchanged(
                payload: payload,
                memberCount: request.root!.count,
                statePayload: statePayload
            )
            decision = "allow"
        case .allow(let changes):
            body = Self.allowChanged(request, changes: changes, context: context, statePayload: statePayload)
            decision = "modify"
        }
        return MockAnswer(
            status: 200,
            body: body,
            ruleName: rule.name,
            decision: decision,
            summary: "\(request.method) \(request.url)",
            latencyMs: rule.latencyMs,
            fault: rule.fault,
            clientStatus: clientStatus
        )
    }

    private static func allowChanged(
        _ request: SidebandRequest,
        changes: AllowChanges,
        context: EvaluationContext,
        statePayload: ByteBuffer?
    ) -> ByteBuffer {
        let headers = changes.headers.isEmpty ? nil : changes.headers.apply(to: request.headers, context: context)
        let method = changes.method.map { $0.render(context) }
        var url: String?
        if changes.path != nil || changes.query != nil {
            let path = changes.path.map { $0.render(context) } ?? String(request.path)
            var query = request.query.map(String.init) ?? ""
            switch changes.query {
            case .replace(let template):
                query = template.render(context)
            case .edit(let set, let remove):
                query = QueryString.rewrite(
                    request.query,
                    set: set.map { ($0.name, $0.value.render(context)) },
                    remove: remove
                )
            case nil:
                break
            }
            url = String(request.origin) + path + (query.isEmpty ? "" : "?" + query)
        }
        let body = changes.body?.apply(to: request.body, json: { request.bodyJSON }, context: context)
        return AnswerWriter.allowChanged(
            root: request.root!,
            headers: headers,
            method: method,
            url: url,
            body: body,
            statePayload: statePayload
        )
    }

    /// Applies a response rule's outcome.
    func decide(_ response: SidebandResponse, rule: ResponseRule, captures: Captures) -> MockAnswer {
        let context = EvaluationContext(response: response, captures: captures)
        let body: ByteBuffer
        let decision: String
        var clientStatus: Int?
        switch rule.outcome {
        case .pass:
            body = AnswerWriter.response(response, status: nil, headers: nil, body: nil)
            decision = "pass"
        case .respond(let changes):
            let headers = changes.headers.isEmpty ? nil : changes.headers.apply(to: response.headers, context: context)
            let newBody = changes.body?.apply(to: response.body, json: { response.bodyJSON }, context: context)
            body = AnswerWriter.response(response, status: changes.status, headers: headers, body: newBody)
            decision = "respond"
            clientStatus = changes.status ?? response.status
        case .deny(let deny):
            let rendered = deny.render(context)
            body = AnswerWriter.response(
                response,
                status: rendered.status,
                headers: rendered.headers,
                body: rendered.body
            )
            decision = "deny"
            clientStatus = rendered.status
        }
        return MockAnswer(
            status: 200,
            body: body,
            ruleName: rule.name,
            decision: decision,
            summary: "\(response.method) \(response.url) \(response.status)",
            latencyMs: rule.latencyMs,
            fault: rule.fault,
            clientStatus: clientStatus
        )
    }
}
