import Testing

@testable import SidebandClient

private let second: UInt64 = 1_000_000_000
private let millisecond: UInt64 = 1_000_000

@Suite struct CircuitBreakerTests {
    @Test func aNewBreakerIsClosedAndAdmitsCalls() {
        var breaker = CircuitBreaker(enabled: true)
        #expect(breaker.state == .closed)
        #expect(breaker.admit(now: 5 * second) == .allow)
        #expect(!breaker.isOpen(now: 5 * second))
        #expect(breaker.status(now: 5 * second) == "closed")
    }

    @Test func aRateLimitOpensTheCircuitUntilRetryAfterHasPassed() {
        var breaker = CircuitBreaker(enabled: true)
        #expect(breaker.recordRateLimited(retryAfterSeconds: 2, now: 10 * second) == 2)
        #expect(breaker.state == .open(until: 12 * second))
        #expect(breaker.isOpen(now: 10 * second))
        #expect(breaker.status(now: 10 * second) == "open")
    }

    @Test func whileOpenTheRemainingSecondsAreRoundedUpAndDecrease() {
        var breaker = CircuitBreaker(enabled: true)
        breaker.recordRateLimited(retryAfterSeconds: 2, now: 0)
        #expect(breaker.admit(now: 0) == .reject(retryAfterSeconds: 2))
        #expect(breaker.admit(now: 100 * millisecond) == .reject(retryAfterSeconds: 2))
        #expect(breaker.admit(now: 1 * second) == .reject(retryAfterSeconds: 1))
        #expect(breaker.admit(now: 1_200 * millisecond) == .reject(retryAfterSeconds: 1))
        #expect(breaker.admit(now: 2 * second - 1) == .reject(retryAfterSeconds: 1))
    }

    @Test func theFirstCallAtTheEndOfTheWindowIsAdmittedAndClosesTheCircuit() {
        var breaker = CircuitBreaker(enabled: true)
        breaker.recordRateLimited(retryAfterSeconds: 2, now: 0)
        #expect(breaker.isOpen(now: 2 * second - 1))
        #expect(!breaker.isOpen(now: 2 * second))
        #expect(breaker.admit(now: 2 * second) == .allow)
        #expect(breaker.state == .closed)
        #expect(breaker.admit(now: 2 * second + 1) == .allow)
    }

    @Test func anExpiredWindowStaysInTheStateUntilTheNextAdmitButIsReportedClosed() {
        var breaker = CircuitBreaker(enabled: true)
        breaker.recordRateLimited(retryAfterSeconds: 1, now: 0)
        #expect(breaker.state == .open(until: 1 * second))
        #expect(breaker.status(now: 3 * second) == "closed")
        #expect(breaker.admit(now: 3 * second) == .allow)
        #expect(breaker.state == .closed)
    }

    @Test func aMissingRetryAfterOpensForOneSecond() {
        var breaker = CircuitBreaker(enabled: true)
        #expect(breaker.recordRateLimited(retryAfterSeconds: nil, now: 0) == 1)
        #expect(breaker.admit(now: 500 * millisecond) == .reject(retryAfterSeconds: 1))
        #expect(breaker.admit(now: 1 * second) == .allow)
    }

    @Test func aZeroOrNegativeRetryAfterOpensForOneSecond() {
        var breaker = CircuitBreaker(enabled: true)
        #expect(breaker.recordRateLimited(retryAfterSeconds: 0, now: 0) == 1)
        #expect(breaker.state == .open(until: 1 * second))
        #expect(breaker.admit(now: 1 * second) == .allow)
        #expect(breaker.recordRateLimited(retryAfterSeconds: -5, now: 10 * second) == 1)
        #expect(breaker.state == .open(until: 11 * second))
    }

    @Test func aHugeRetryAfterIsCappedAtAnHour() {
        var breaker = CircuitBreaker(enabled: true)
        #expect(breaker.recordRateLimited(retryAfterSeconds: Int.max, now: 0) == 3600)
        #expect(breaker.admit(now: 0) == .reject(retryAfterSeconds: 3600))
        #expect(breaker.admit(now: 3600 * second) == .allow)
    }

    @Test func aWindowNearTheEndOfTheClockDoesNotOverflow() {
        var breaker = CircuitBreaker(enabled: true)
        let now = UInt64.max - second
        #expect(breaker.recordRateLimited(retryAfterSeconds: 3600, now: now) == 1)
        #expect(breaker.state == .open(until: .max))
        #expect(breaker.admit(now: now) == .reject(retryAfterSeconds: 1))
    }

    /// Calls admitted before the first 429 may get their own 429 later; a shorter Retry-After in those
    /// must not reopen the gate early.
    @Test func aSecondRateLimitNeverShortensAnOpenWindow() {
        var breaker = CircuitBreaker(enabled: true)
        breaker.recordRateLimited(retryAfterSeconds: 10, now: 0)
        #expect(breaker.recordRateLimited(retryAfterSeconds: 1, now: 2 * second) == 8)
        #expect(breaker.state == .open(until: 10 * second))
        #expect(breaker.admit(now: 5 * second) == .reject(retryAfterSeconds: 5))
    }

    @Test func aSecondRateLimitCanExtendAnOpenWindow() {
        var breaker = CircuitBreaker(enabled: true)
        breaker.recordRateLimited(retryAfterSeconds: 2, now: 0)
        #expect(breaker.recordRateLimited(retryAfterSeconds: 5, now: 1 * second) == 5)
        #expect(breaker.state == .open(until: 6 * second))
        #expect(breaker.admit(now: 3 * second) == .reject(retryAfterSeconds: 3))
    }

    @Test func aRateLimitAfterTheWindowOpensANewOne() {
        var breaker = CircuitBreaker(enabled: true)
        breaker.recordRateLimited(retryAfterSeconds: 1, now: 0)
        #expect(breaker.admit(now: 1 * second) == .allow)
        breaker.recordRateLimited(retryAfterSeconds: 3, now: 2 * second)
        #expect(breaker.admit(now: 2 * second) == .reject(retryAfterSeconds: 3))
        #expect(breaker.admit(now: 5 * second) == .allow)
    }

    @Test func aDisabledBreakerAdmitsEverythingAndStaysClosed() {
        var breaker = CircuitBreaker(enabled: false)
        #expect(!breaker.isEnabled)
        #expect(breaker.recordRateLimited(retryAfterSeconds: 30, now: 0) == 30)
        #expect(breaker.state == .closed)
        #expect(breaker.admit(now: 0) == .allow)
        #expect(!breaker.isOpen(now: 0))
        #expect(breaker.status(now: 0) == "closed")
    }

    @Test func theWindowRuleClampsToOneSecondThroughOneHour() {
        #expect(CircuitBreaker.openWindowSeconds(retryAfterSeconds: nil) == 1)
        #expect(CircuitBreaker.openWindowSeconds(retryAfterSeconds: 0) == 1)
        #expect(CircuitBreaker.openWindowSeconds(retryAfterSeconds: 7) == 7)
        #expect(CircuitBreaker.openWindowSeconds(retryAfterSeconds: 3601) == 3600)
    }

    @Test func secondsAreRoundedUpWithoutOverflow() {
        #expect(CircuitBreaker.secondsRoundedUp(nanoseconds: 0) == 0)
        #expect(CircuitBreaker.secondsRoundedUp(nanoseconds: 1) == 1)
        #expect(CircuitBreaker.secondsRoundedUp(nanoseconds: second) == 1)
        #expect(CircuitBreaker.secondsRoundedUp(nanoseconds: second + 1) == 2)
        #expect(CircuitBreaker.secondsRoundedUp(nanoseconds: .max) == 18_446_744_074)
    }

    @Test func theLimitExceededBodySaysOneSecondInTheSingular() {
        #expect(
            CircuitBreaker.limitExceededBody(retryAfterSeconds: 1)
                == #"{"code":"LIMIT_EXCEEDED","message":"The request exceeded the allowed rate limit. Please try after 1 second."}"#
        )
    }

    @Test func theLimitExceededBodySaysSecondsInThePlural() {
        #expect(
            CircuitBreaker.limitExceededBody(retryAfterSeconds: 2)
                == #"{"code":"LIMIT_EXCEEDED","message":"The request exceeded the allowed rate limit. Please try after 2 seconds."}"#
        )
    }
}
