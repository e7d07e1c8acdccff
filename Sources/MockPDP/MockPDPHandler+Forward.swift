import Foundation
import Logging
import MockPolicy
import NIOCore
import NIOHTTP1
import SidebandClient

extension MockPDPHandler {
    /// Forward mode: sends the call to the real provider with the caller's secret, records the exchange,
    /// and answers with the provider's status, body and headers (502 when the provider gave no answer).
    func forward(
        _ phase: MockDecisionRecord.Phase,
        head: HTTPRequestHead,
        payload: ByteBuffer,
        via forwarder: Forwarder,
        recordingTo recordFile: RecordFile?,
        settings: MockSettings,
        started: NIODeadline,
        context: ChannelHandlerContext
    ) {
        let client = forwarder.client(
            on: context.eventLoop,
            secretHeaderName: settings.secretHeaderName,
            secret: head.headers.first(name: settings.secretHeaderName) ?? ""
        )
        let path = String(head.uri.prefix { $0 != "?" })
        let secretHeaderName = settings.secretHeaderName
        let latencyMs = settings.latencyMs
        let capacity = settings.decisionLogSize
        let logger = self.core.logger
        let sidebandPhase: SidebandPhase = phase == .request ? .request : .response
        self.pendingCall = client.send(sidebandPhase, payload: payload) { result in
            self.pendingCall = nil
            guard self.isActive else { return }
            let summary = PayloadSummary.of(payload, phase: phase)
            switch result {
            case .success(let response):
                let headers = response.headers.map { (name: $0.name, value: $0.value) }
                if let recordFile {
                    let line = RecordedExchange.line(
                        time: Date(),
                        path: path,
                        payload: payload,
                        status: response.status,
                        answer: response.body,
                        answerHeaders: headers,
                        secretHeaderName: secretHeaderName
                    )
                    if let failure = recordFile.append(line) {
                        logger.error("mock-pdp cannot record to \(recordFile.path): \(failure)")
                    }
                }
                let (decision, clientStatus) = PayloadSummary.inspect(
                    answer: response.body,
                    status: response.status,
                    phase: phase
                )
                let note = DecisionNote(
                    phase: phase,
                    rule: "forward",
                    decision: decision,
                    summary: summary,
                    fault: nil,
                    clientStatus: clientStatus,
                    logCapacity: capacity
                )
                let relayed = RelayedHeaders.relayed(headers, secretHeaderName: secretHeaderName)
                self.deliver(
                    .answer(status: response.status, body: response.body, headers: relayed),
                    note: note,
                    latencyMs: latencyMs,
                    started: started,
                    context: context
                )
            case .failure(let error):
                logger.warning("mock-pdp forward to \(forwarder.endpoint) failed: \(error)")
                let note = DecisionNote(
                    phase: phase,
                    rule: "forward",
                    decision: "provider_failed",
                    summary: summary,
                    fault: nil,
                    logCapacity: capacity
                )
                self.deliver(
                    .answer(status: 502, body: MockPDPBodies.providerFailed(error.description), headers: []),
                    note: note,
                    latencyMs: latencyMs,
                    started: started,
                    context: context
                )
            }
        }
    }
}
