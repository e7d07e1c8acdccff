public import HTTPClientPool
import ConnectionPool
public import NIOCore
public import NIOHTTP1
import NIOSSL

/// One sideband exchange (with its retries): leases a pooled connection, writes the call, collects the
/// whole answer, and reports once. Confined to the client's event loop.
public final class SidebandCall: PooledConnectionOwner {
    // Strong: a call still in flight when a reload drops its client must finish (or time out) safely.
    private let client: SidebandClient
    private let head: HTTPRequestHead
    private let payload: ByteBuffer
    private var completion: ((Result<SidebandHTTPResponse, SidebandCallError>) -> Void)?

    private var connection: PooledHTTPConnection<SidebandCall>?
    private var leaseRequest: RequestID?
    private var awaitingLease = false
    private var responseHead: HTTPResponseHead?
    private var responseBody: ByteBuffer?
    private var timer: Scheduled<Void>?
    /// When the call times out (moved on each sign of progress), and when `timer` fires (never later).
    private var deadline = NIODeadline.distantFuture
    private var timerFiresAt = NIODeadline.distantFuture
    private var retryTimer: Scheduled<Void>?
    private var attempt = 0

    init(
        client: SidebandClient,
        head: HTTPRequestHead,
        payload: ByteBuffer,
        completion: @escaping (Result<SidebandHTTPResponse, SidebandCallError>) -> Void
    ) {
        self.client = client
        self.head = head
        self.payload = payload
        self.completion = completion
    }

    func start() {
        self.attempt += 1
        self.responseHead = nil
        self.responseBody = nil
        self.awaitingLease = true
        let request = self.client.pool.lease(for: self, connectTimeout: self.client.settings.timeout)
        if self.awaitingLease { self.leaseRequest = request }
    }

    /// The caller no longer wants the answer (its client went away): stop, and do not reuse a connection
    /// that may still carry half an answer.
    public func cancel() {
        self.completion = nil
        self.cancelTimer()
        self.retryTimer?.cancel()
        if let request = self.leaseRequest {
            self.leaseRequest = nil
            self.client.pool.cancel(request)
        }
        if let connection = self.connection {
            self.connection = nil
            self.client.pool.release(connection, reusable: false)
        }
    }

    // MARK: - PooledConnectionOwner

    public func leaseCompleted(_ result: LeaseResult<SidebandCall>) {
        guard self.awaitingLease, self.completion != nil else {
            if case .leased(let connection, _) = result { self.client.pool.release(connection, reusable: true) }
            return
        }
        self.awaitingLease = false
        self.leaseRequest = nil
        switch result {
        case .leased(let connection, let reused):
            self.connection = connection
            self.reused = reused
            connection.write(.head(self.head), promise: nil)
            connection.write(.body(.byteBuffer(self.payload)), promise: nil)
            connection.write(.end(nil), promise: nil)
            connection.flush()
            self.armTimer()
        case .failed(let error):
            self.failed(Self.isTLSFailure(error) ? .tls(error) : .connect(error))
        }
    }

    private var reused = false

    public func connectionRead(_ part: HTTPClientResponsePart) {
        guard self.connection != nil else { return }
        self.armTimer()
        switch part {
        case .head(let head):
            self.responseHead = head
        case .body(var buffer):
            let size = (self.responseBody?.readableBytes ?? 0) + buffer.readableBytes
            if size > self.client.settings.maxResponseBytes {
                self.abandonConnection()
                self.failed(.tooLarge)
                return
            }
            if self.responseBody == nil {
                self.responseBody = buffer
            } else {
                self.responseBody!.writeBuffer(&buffer)
            }
        case .end:
            self.cancelTimer()
            guard let head = self.responseHead, let connection = self.connection else { return }
            self.connection = nil
            self.client.pool.release(connection, reusable: head.isKeepAlive)
            let response = SidebandHTTPResponse(
                status: Int(head.status.code),
                headers: head.headers,
                body: self.responseBody ?? ByteBuffer()
            )
            if self.client.settings.retryPolicy.shouldRetry(.status(response.status), afterAttempt: self.attempt) {
                self.scheduleRetry()
                return
            }
            self.finish(.success(response))
        }
    }

    public func connectionReadComplete() {}

    public func connectionClosed(_ connection: PooledHTTPConnection<SidebandCall>) {
        guard self.connection === connection else { return }
        self.connection = nil
        self.cancelTimer()
        // A kept-alive connection the provider closed as we reused it: nothing was answered; try again on a
        // fresh connection once, without counting it as a retry.
        if self.reused && self.responseHead == nil {
            self.reused = false
            self.attempt -= 1
            self.start()
            return
        }
        self.failed(.closed)
    }

    public func connectionFailed(_ connection: PooledHTTPConnection<SidebandCall>, error: any Error) {
        guard self.connection === connection else { return }
        self.abandonConnection()
        self.failed(Self.isTLSFailure(error) ? .tls(error) : .protocolError(error))
    }

    /// TLS failures are configuration problems (wrong CA, wrong name): retrying cannot help.
    private static func isTLSFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || "\(type(of: error))".contains("SSL")
    }

    public func connectionWritabilityChanged(_ connection: PooledHTTPConnection<SidebandCall>) {}

    public var shouldHoldConnectionReads: Bool { false }

    // MARK: - Outcomes

    /// The timeout runs from the last sign of progress. Extending it only moves `deadline`: the one
    /// scheduled task, when it fires early, schedules itself again for the rest. (Re-scheduling on every
    /// part of every answer was a tenth of the gateway's event-loop time under load.)
    private func armTimer() {
        let deadline = NIODeadline.now() + self.client.settings.timeout
        self.deadline = deadline
        if self.timer != nil && self.timerFiresAt <= deadline { return }
        self.cancelTimer()
        self.scheduleTimer(at: deadline)
    }

    private func scheduleTimer(at deadline: NIODeadline) {
        let loopBound = NIOLoopBound(self, eventLoop: self.client.eventLoop)
        self.timerFiresAt = deadline
        self.timer = self.client.eventLoop.scheduleTask(deadline: deadline) {
            let call = loopBound.value
            call.timer = nil
            if NIODeadline.now() < call.deadline {
                call.scheduleTimer(at: call.deadline)
                return
            }
            call.abandonConnection()
            call.failed(.timeout)
        }
    }

    private func cancelTimer() {
        self.timer?.cancel()
        self.timer = nil
    }

    private func abandonConnection() {
        self.cancelTimer()
        if let connection = self.connection {
            self.connection = nil
            self.client.pool.release(connection, reusable: false)
        }
    }

    private func failed(_ error: SidebandCallError) {
        if let failure = error.retryFailure,
            self.client.settings.retryPolicy.shouldRetry(failure, afterAttempt: self.attempt)
        {
            self.scheduleRetry()
            return
        }
        self.finish(.failure(error))
    }

    private func scheduleRetry() {
        let delay = TimeAmount(self.client.settings.retryPolicy.delayBeforeRetry(self.attempt))
        let loopBound = NIOLoopBound(self, eventLoop: self.client.eventLoop)
        self.retryTimer = self.client.eventLoop.scheduleTask(in: delay) {
            let call = loopBound.value
            guard call.completion != nil else { return }
            call.start()
        }
    }

    private func finish(_ result: Result<SidebandHTTPResponse, SidebandCallError>) {
        self.cancelTimer()
        guard let completion = self.completion else { return }
        self.completion = nil
        completion(result)
    }
}

@available(*, unavailable)
extension SidebandCall: Sendable {}
