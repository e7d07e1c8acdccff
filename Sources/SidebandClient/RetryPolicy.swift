/// When a failed sideband call is tried again, and after how long (`max_retries`, `retry_backoff_ms`).
///
/// A sideband call asks for a decision and changes nothing at the provider, so sending it twice is safe;
/// what is retried is what a second try can plausibly fix:
///
/// | failure | retried | why |
/// | --- | --- | --- |
/// | connect error (refused, unreachable, DNS, connect timeout) | yes | a provider restarting or a node leaving its load balancer |
/// | timeout of a write or read | yes | a slow moment; each try has its own `connection_timeout_ms` |
/// | connection closed before a whole answer | yes | a reset or a keep-alive race |
/// | TLS handshake or certificate failure | no | configuration, it fails the same way next time |
/// | 5xx | yes | the provider says the fault is on its side, often for a moment |
/// | 429 | no | the circuit breaker opens instead; retrying is what the provider asked us not to do |
/// | other 4xx (401 bad secret, 413, ...) | no | our request or configuration is wrong; the same call gets the same answer |
/// | 2xx with an answer that is not JSON or lacks what a decision needs | no | a provider bug, not a moment |
///
/// A status in `passthrough_status_codes` is an answer for the client, never a failure: the shell checks
/// those before asking this policy. Before each retry the shell asks the circuit breaker again, so a 429
/// answered meanwhile to another request stops the retries too.
///
/// Delays grow exponentially with no jitter: before retry `n` (1 for the first) the shell waits
/// `retry_backoff_ms * 2^(n-1)`, capped at ``maximumDelay`` (30 s). Without jitter the delays are exact
/// and testable; retries are off by default (`max_retries` 0) and the per-instance breaker already
/// shields a throttling provider, so synchronised retries are a small risk. The worst-case time a call
/// takes is `(max_retries + 1) * (connect + write + read timeouts) + the sum of the delays`.
public struct RetryPolicy: Sendable, Hashable {
    /// `max_retries` (default 0): tries after the first one, so a call is made at most
    /// `maxRetries + 1` times. Negative values count as 0.
    public var maxRetries: Int
    /// `retry_backoff_ms` (default 500): the delay before the first retry, doubled for each next one.
    /// Negative values count as 0 (retry at once).
    public var backoffMilliseconds: Int

    /// The longest wait before a retry: 30 seconds. Beyond that the client waiting for the decision has
    /// almost certainly given up.
    public static let maximumDelay = Duration.milliseconds(Self.maximumDelayMilliseconds)
    /// ``maximumDelay`` in milliseconds.
    public static let maximumDelayMilliseconds = 30_000

    public init(maxRetries: Int = 0, backoffMilliseconds: Int = 500) {
        self.maxRetries = max(0, maxRetries)
        self.backoffMilliseconds = max(0, backoffMilliseconds)
    }

    /// How a sideband call failed, as far as retrying is concerned.
    public enum Failure: Sendable, Hashable {
        /// No connection could be opened (refused, unreachable, name not resolved, connect timeout).
        case connectFailed
        /// A write, or the wait for (the rest of) the answer, took longer than `connection_timeout_ms`.
        case timedOut
        /// The connection was closed or reset before the whole answer arrived.
        case connectionClosed
        /// The TLS handshake failed (certificate not trusted, name mismatch, no common cipher).
        case tlsFailed
        /// The provider answered with this status and no usable decision (not 2xx, not a passthrough).
        case status(Int)
        /// The provider answered 2xx, but the body is not JSON or lacks what a decision needs.
        case invalidAnswer
    }

    /// Whether `failure` is worth another try at all (see the table above).
    public static func isRetryable(_ failure: Failure) -> Bool {
        switch failure {
        case .connectFailed, .timedOut, .connectionClosed: true
        case .tlsFailed, .invalidAnswer: false
        case .status(let status): (500...599).contains(status)
        }
    }

    /// Whether the budget allows another try after attempt number `attempt` (1 for the first call) failed.
    public func allowsRetry(afterAttempt attempt: Int) -> Bool {
        attempt >= 1 && attempt <= self.maxRetries
    }

    /// Whether to try again after attempt number `attempt` (1 for the first call) failed with `failure`:
    /// a retryable failure within the budget.
    public func shouldRetry(_ failure: Failure, afterAttempt attempt: Int) -> Bool {
        Self.isRetryable(failure) && self.allowsRetry(afterAttempt: attempt)
    }

    /// The wait before retry number `retry` (1 for the first retry, that is after attempt 1 failed):
    /// `backoffMilliseconds * 2^(retry-1)`, capped at ``maximumDelay``; zero for `retry < 1`.
    /// `TimeAmount(_:)` of NIOCore takes it as is.
    public func delayBeforeRetry(_ retry: Int) -> Duration {
        .milliseconds(self.delayMillisecondsBeforeRetry(retry))
    }

    /// ``delayBeforeRetry(_:)`` in milliseconds, computed without overflow for any `retry`.
    public func delayMillisecondsBeforeRetry(_ retry: Int) -> Int {
        let cap = Self.maximumDelayMilliseconds
        guard retry >= 1, self.backoffMilliseconds > 0 else { return 0 }
        // Past 2^15 any positive backoff is over the cap; stop doubling before the shift can overflow.
        let doublings = retry - 1
        guard doublings < 16 else { return cap }
        let (delay, overflow) = self.backoffMilliseconds.multipliedReportingOverflow(by: 1 << doublings)
        return overflow ? cap : min(delay, cap)
    }
}
