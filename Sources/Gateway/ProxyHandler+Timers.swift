import ConnectionPool
import HTTPClientPool
import Logging
import NIOCore
import NIOHTTP1

/// Client and upstream timeouts.
extension ProxyHandler {
    // MARK: - Timers

    /// Timers are extended lazily: re-arming only moves the deadline, and the one scheduled task, when it
    /// fires early, schedules itself again for the rest. Re-scheduling a task for every body part and
    /// every request was measurable churn on the event loop.
    func armClientTimer(_ kind: ClientTimer) {
        guard let context = self.context else { return }
        let settings = self.loop.configuration.source.proxy
        let milliseconds: Int
        switch kind {
        case .idle: milliseconds = self.requestsServed == 0 ? settings.clientTimeoutMs : settings.keepaliveTimeoutMs
        case .head, .body, .send: milliseconds = settings.clientTimeoutMs
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(milliseconds))
        self.clientTimerKind = kind
        self.clientDeadline = deadline
        if self.clientTimer != nil && self.clientTimerFiresAt <= deadline { return }
        self.clientTimer?.cancel()
        self.scheduleClientTimer(at: deadline, on: context.eventLoop)
    }

    func scheduleClientTimer(at deadline: NIODeadline, on eventLoop: any EventLoop) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        self.clientTimerFiresAt = deadline
        self.clientTimer = eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.clientTimerFired()
        }
    }

    /// Stops timing the client; the scheduled task, if any, finds nothing to do (or is cancelled on close).
    func cancelClientTimer() {
        self.clientTimerKind = nil
    }

    func clientTimerFired() {
        self.clientTimer = nil
        guard let kind = self.clientTimerKind, let context = self.context else { return }
        if NIODeadline.now() < self.clientDeadline {
            self.scheduleClientTimer(at: self.clientDeadline, on: context.eventLoop)
            return
        }
        self.clientTimerKind = nil
        switch kind {
        case .idle, .send:
            self.closeConnection()
        case .head:
            // Slow or stalled header: answer 408 once, then hang up.
            self.recordRefusedRequest(status: 408)
            self.state = .closing
            if let rawOutput = self.rawOutput {
                rawOutput.sendRawAndClose(.requestTimeout)
            } else {
                self.closeConnection()
            }
        case .body:
            if self.exchange != nil {
                self.abortExchange(with: .requestTimeout)
            } else {
                self.closeConnection()
            }
        }
    }

    /// The upstream read (or write) timeout of the current exchange, extended lazily like the client timer.
    func armUpstreamTimer(_ exchange: Exchange, timeout: TimeAmount) {
        guard let context = self.context else { return }
        let deadline = NIODeadline.now() + timeout
        exchange.upstreamDeadline = deadline
        if exchange.upstreamTimer != nil && exchange.upstreamTimerFiresAt <= deadline { return }
        exchange.upstreamTimer?.cancel()
        self.scheduleUpstreamTimer(exchange, at: deadline, on: context.eventLoop)
    }

    func scheduleUpstreamTimer(_ exchange: Exchange, at deadline: NIODeadline, on eventLoop: any EventLoop) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let exchangeBound = NIOLoopBound(exchange, eventLoop: eventLoop)
        exchange.upstreamTimerFiresAt = deadline
        exchange.upstreamTimer = eventLoop.scheduleTask(deadline: deadline) {
            let handler = loopBound.value
            let exchange = exchangeBound.value
            exchange.upstreamTimer = nil
            guard handler.exchange === exchange else { return }
            if NIODeadline.now() < exchange.upstreamDeadline {
                handler.scheduleUpstreamTimer(exchange, at: exchange.upstreamDeadline, on: eventLoop)
                return
            }
            handler.loop.logger.warning(
                "upstream timed out",
                metadata: ["proxy.request_id": "\(exchange.id)"]
            )
            handler.abortExchange(with: .gatewayTimeout)
        }
    }
}
