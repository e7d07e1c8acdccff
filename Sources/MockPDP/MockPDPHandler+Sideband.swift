import Foundation
import Logging
import MockPolicy
import NIOCore
import NIOHTTP1

extension MockPDPHandler {
    /// Answers one sideband call, in PingAuthorize's order: authenticate, then (faults permitting) decide
    /// by the rules, the recordings or the real provider, then wait the injected latency and answer.
    ///
    /// The rules are read once, so a hot reload in the middle of a call cannot mix two rule sets. In rules
    /// mode the payload is handed to the engine untouched (one `answerRequest`/`answerResponse` per call,
    /// no parsing here).
    func answerSideband(
        _ phase: MockDecisionRecord.Phase,
        head: HTTPRequestHead,
        payload: ByteBuffer,
        context: ChannelHandlerContext
    ) {
        let started = NIODeadline.now()
        let active = self.core.current()
        let settings = active.settings
        let capacity = settings.decisionLogSize

        let presented = head.headers.first(name: settings.secretHeaderName)
        guard GatewayToken.isAccepted(presented, accepted: settings.sharedSecrets) else {
            let summary = PayloadSummary.of(payload, phase: phase)
            self.core.logger.notice(
                "mock-pdp refused a call without an accepted \(settings.secretHeaderName) phase=\(phase.rawValue) \(summary)"
            )
            let note = DecisionNote(
                phase: phase,
                rule: "",
                decision: "unauthorized",
                summary: summary,
                fault: nil,
                logCapacity: capacity
            )
            self.deliver(
                .answer(status: 401, body: MockPDPBodies.unauthorized(), headers: []),
                note: note,
                latencyMs: settings.latencyMs,
                started: started,
                context: context
            )
            return
        }

        if settings.errorRate > 0, self.core.random() < settings.errorRate {
            let note = DecisionNote(
                phase: phase,
                rule: "",
                decision: "error_rate",
                summary: PayloadSummary.of(payload, phase: phase),
                fault: "error_rate",
                logCapacity: capacity
            )
            self.deliver(
                .answer(
                    status: settings.errorStatus,
                    body: MockPDPBodies.injectedError(status: settings.errorStatus),
                    headers: []
                ),
                note: note,
                latencyMs: settings.latencyMs,
                started: started,
                context: context
            )
            return
        }

        switch self.core.mode {
        case .rules:
            guard let rules = active.rules else {
                // Rules mode always starts with rules, and reloads only replace them.
                self.respond(
                    status: 500,
                    body: MockPDPBodies.error(code: "NO_RULES", message: "no rules"),
                    context: context
                )
                return
            }
            let answer: MockAnswer
            switch phase {
            case .request: answer = rules.answerRequest(payload, sourceIP: self.peerAddress)
            case .response: answer = rules.answerResponse(payload)
            }
            var outcome = MockOutcome.answer(status: answer.status, body: answer.body, headers: [])
            var faultLabel: String?
            if let fault = answer.fault {
                (outcome, faultLabel) = MockOutcome.acting(fault)
            }
            let clientStatus = faultLabel == nil ? answer.clientStatus : nil
            let note = DecisionNote(
                phase: phase,
                rule: answer.ruleName,
                decision: answer.decision,
                summary: answer.summary,
                fault: faultLabel,
                clientStatus: clientStatus,
                logCapacity: capacity
            )
            self.deliver(
                outcome,
                note: note,
                latencyMs: settings.latencyMs + (answer.latencyMs ?? 0),
                started: started,
                context: context
            )

        case .replay(let book):
            let summary = PayloadSummary.of(payload, phase: phase)
            let outcome: MockOutcome
            let decision: String
            var clientStatus: Int?
            if let recorded = book.answer(phase: phase, payload: payload) {
                outcome = .answer(status: recorded.status, body: recorded.body, headers: recorded.headers)
                (decision, clientStatus) = PayloadSummary.inspect(
                    answer: recorded.body,
                    status: recorded.status,
                    phase: phase
                )
            } else {
                self.core.logger.warning(
                    "mock-pdp replay: no recorded answer for this call phase=\(phase.rawValue) \(summary)"
                )
                outcome = .answer(status: 404, body: MockPDPBodies.notRecorded(), headers: [])
                decision = "not_recorded"
            }
            let note = DecisionNote(
                phase: phase,
                rule: "replay",
                decision: decision,
                summary: summary,
                fault: nil,
                clientStatus: clientStatus,
                logCapacity: capacity
            )
            self.deliver(outcome, note: note, latencyMs: settings.latencyMs, started: started, context: context)

        case .forward(let forwarder, let recordFile):
            self.forward(
                phase,
                head: head,
                payload: payload,
                via: forwarder,
                recordingTo: recordFile,
                settings: settings,
                started: started,
                context: context
            )
        }
    }

    /// Acts out `outcome` after `latencyMs` (at once when 0), on the event loop's timer.
    func deliver(
        _ outcome: MockOutcome,
        note: DecisionNote,
        latencyMs: Int,
        started: NIODeadline,
        context: ChannelHandlerContext
    ) {
        guard latencyMs > 0 else {
            self.finish(outcome, note: note, started: started, context: context)
            return
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.pendingTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(latencyMs))) {
            let (handler, context) = bound.value
            handler.pendingTimer = nil
            handler.finish(outcome, note: note, started: started, context: context)
        }
    }

    /// Writes (or drops) the answer, then logs the decision at info and keeps it for `GET /_mock/decisions`.
    ///
    /// The log line is `mock-pdp decision phase=request rule=NAME decision=deny status=403 GET url`, where
    /// `status` is the status the client gets for deny and respond decisions, and the HTTP status of the
    /// sideband answer otherwise (`fault=...` follows it when a fault was acted out).
    private func finish(
        _ outcome: MockOutcome,
        note: DecisionNote,
        started: NIODeadline,
        context: ChannelHandlerContext
    ) {
        guard self.isActive else { return }
        // Kept before the answer goes out, so whoever got the answer finds the decision listed.
        let status = outcome.status
        let elapsed = NIODeadline.now() - started
        self.core.decisionLog.append(
            MockDecisionRecord(
                time: Date(),
                phase: note.phase,
                rule: note.rule,
                decision: note.decision,
                status: status,
                clientStatus: note.clientStatus,
                summary: note.summary,
                latencyMs: Double(elapsed.nanoseconds) / 1_000_000,
                fault: note.fault
            ),
            capacity: note.logCapacity
        )
        self.core.logger.info(Self.decisionLine(note, status: status))
        switch outcome {
        case .answer(let status, let body, let headers):
            self.respond(status: status, body: body, headers: headers, context: context)
        case .drop:
            self.drop(context: context)
        }
    }

    /// `mock-pdp decision phase=… rule=… decision=… status=…[ fault=…] METHOD url` (built only when info
    /// is logged).
    private static func decisionLine(_ note: DecisionNote, status: Int) -> Logger.Message {
        let rule = note.rule.isEmpty ? "-" : note.rule
        let fault = note.fault.map { " fault=\($0)" } ?? ""
        return """
            mock-pdp decision phase=\(note.phase.rawValue) rule=\(rule) decision=\(note.decision) \
            status=\(note.clientStatus ?? status)\(fault) \(note.summary)
            """
    }
}
