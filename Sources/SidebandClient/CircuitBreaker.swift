/// The circuit breaker of one `ping-auth` plugin instance: after the policy provider answers 429, stop
/// calling it until the moment it named in `Retry-After`, and answer 429 ourselves meanwhile.
///
/// One breaker per plugin instance (not per worker, not shared by routes, as the Lua plugin's was), so a
/// provider that throttles one instance does not silence the others. It is a plain value type: the I/O
/// shell keeps it wherever the instance's state lives (behind a lock when event loops share it), calls
/// ``admit(now:)`` before each sideband call and ``recordRateLimited(retryAfterSeconds:now:)`` when a call
/// got 429. It reads no clock: `now` is monotonic nanoseconds (`NIODeadline.now().uptimeNanoseconds`),
/// so wall-clock jumps neither shorten nor stretch a window.
///
/// There is no half-open probe state and no failure counting: PingAuthorize says exactly when to come
/// back, so the first call after the window is simply admitted. Requests admitted before the 429 arrived
/// complete normally; only calls that ask afterwards are rejected.
public struct CircuitBreaker: Sendable {
    /// Where the breaker is.
    public enum State: Equatable, Sendable {
        /// Calls go to the provider. The initial state, and the only one of a disabled breaker.
        case closed
        /// Calls are rejected without contacting the provider until the monotonic instant `until`
        /// (nanoseconds); the first ``CircuitBreaker/admit(now:)`` at or after it closes the breaker.
        case open(until: UInt64)
    }

    /// What the shell does with a request that needs the provider.
    public enum Admission: Equatable, Sendable {
        /// Call the provider.
        case allow
        /// Do not call the provider: answer 429 with ``CircuitBreaker/limitExceededBody(retryAfterSeconds:)``
        /// and `Retry-After: retryAfterSeconds` (the seconds left in the window, rounded up, at least 1).
        case reject(retryAfterSeconds: Int)
    }

    /// `circuit_breaker_enabled` (default `true`). A disabled breaker admits every call and ignores 429s
    /// (each 429 is then only relayed to its own client).
    public let isEnabled: Bool

    /// The current state. An `open` state whose instant has passed is still reported until the next
    /// ``admit(now:)``; use ``isOpen(now:)`` or ``status(now:)`` for an up-to-date answer.
    public private(set) var state: State = .closed

    public init(enabled: Bool) {
        self.isEnabled = enabled
    }

    /// Asks whether a sideband call may go out at `now`.
    ///
    /// Closed: `.allow`. Open and `now` before the end of the window: `.reject` with the remaining time
    /// rounded up to whole seconds (1.9 s left → 2, 0.2 s left → 1, never 0). Open and the window over:
    /// the breaker closes and the call is allowed.
    public mutating func admit(now: UInt64) -> Admission {
        switch self.state {
        case .closed:
            return .allow
        case .open(let until):
            guard now < until else {
                self.state = .closed
                return .allow
            }
            return .reject(retryAfterSeconds: Self.secondsRoundedUp(nanoseconds: until - now))
        }
    }

    /// The provider answered 429 at `now`: open the circuit for `retryAfterSeconds`.
    ///
    /// `retryAfterSeconds` is ``RetryAfter/parse(_:now:)``'s result: `nil` (header absent or invalid) and
    /// anything below 1 (a date in the past, `Retry-After: 0`) open the circuit for 1 second, so a
    /// provider that asks us to slow down always gets at least that; values above
    /// ``RetryAfter/maximumSeconds`` (3600) are capped so that one answer can never shut an instance for
    /// longer than an hour. When the circuit is already open (a call admitted before the first 429 got
    /// its own 429), the window never shrinks: it ends at the later of the two instants.
    ///
    /// - Returns: the seconds from `now` until the circuit closes again (at least 1), which the shell
    ///   sends as `Retry-After` to the client whose call got the 429. A disabled breaker stays closed and
    ///   returns the window it would have opened.
    @discardableResult
    public mutating func recordRateLimited(retryAfterSeconds: Int?, now: UInt64) -> Int {
        let seconds = Self.openWindowSeconds(retryAfterSeconds: retryAfterSeconds)
        guard self.isEnabled else { return seconds }
        let (sum, overflow) = now.addingReportingOverflow(UInt64(seconds) * Self.nanosecondsPerSecond)
        var until = overflow ? UInt64.max : sum
        switch self.state {
        case .closed:
            break
        case .open(let current):
            until = max(until, current)
        }
        self.state = .open(until: until)
        return Self.secondsRoundedUp(nanoseconds: until - now)
    }

    /// Whether a call at `now` would be rejected (for the `ping_auth_circuit_open` gauge and `/status`).
    public func isOpen(now: UInt64) -> Bool {
        switch self.state {
        case .closed: false
        case .open(let until): now < until
        }
    }

    /// `"open"` or `"closed"`, as `/status` reports each instance's circuit at `now`.
    public func status(now: UInt64) -> String {
        self.isOpen(now: now) ? "open" : "closed"
    }

    /// The body of the 429 we answer while the circuit is open:
    /// `{"code":"LIMIT_EXCEEDED","message":"The request exceeded the allowed rate limit. Please try after
    /// 2 seconds."}` ("1 second" in the singular). The Lua plugin always said "1 second" whatever the
    /// wait; we say the same number as the `Retry-After` header.
    public static func limitExceededBody(retryAfterSeconds: Int) -> String {
        let unit = retryAfterSeconds == 1 ? "second" : "seconds"
        return #"{"code":"LIMIT_EXCEEDED","message":"The request exceeded the allowed rate limit. "#
            + #"Please try after \#(retryAfterSeconds) \#(unit)."}"#
    }

    // MARK: - Arithmetic

    static let nanosecondsPerSecond: UInt64 = 1_000_000_000

    /// The window a 429 opens, in seconds: `retryAfterSeconds` (``RetryAfter/parse(_:now:)``'s result)
    /// clamped to `1...RetryAfter.maximumSeconds`, and 1 when `nil`. Public so that a lock-free shell
    /// (an atomic "open until" instant) applies the same rule.
    public static func openWindowSeconds(retryAfterSeconds: Int?) -> Int {
        min(max(retryAfterSeconds ?? 1, 1), RetryAfter.maximumSeconds)
    }

    /// `nanoseconds` in whole seconds, rounded up (1.2 s → 2), without overflow for any `UInt64`: the
    /// `Retry-After` of a rejection is `secondsRoundedUp(nanoseconds: until - now)`.
    public static func secondsRoundedUp(nanoseconds: UInt64) -> Int {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: Self.nanosecondsPerSecond)
        return Int(quotient) + (remainder == 0 ? 0 : 1)
    }
}
