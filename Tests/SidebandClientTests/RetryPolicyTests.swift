import Testing

@testable import SidebandClient

@Suite struct RetryPolicyTests {
    @Test func transientFailuresAreRetryable() {
        #expect(RetryPolicy.isRetryable(.connectFailed))
        #expect(RetryPolicy.isRetryable(.timedOut))
        #expect(RetryPolicy.isRetryable(.connectionClosed))
        for status in [500, 502, 503, 504, 599] {
            #expect(RetryPolicy.isRetryable(.status(status)), "\(status)")
        }
    }

    @Test func answersThatWouldRepeatAreNotRetryable() {
        #expect(!RetryPolicy.isRetryable(.tlsFailed))
        #expect(!RetryPolicy.isRetryable(.invalidAnswer))
        for status in [200, 302, 400, 401, 403, 404, 413, 429, 499, 600] {
            #expect(!RetryPolicy.isRetryable(.status(status)), "\(status)")
        }
    }

    @Test func theDefaultPolicyNeverRetries() {
        let policy = RetryPolicy()
        #expect(policy.maxRetries == 0)
        #expect(policy.backoffMilliseconds == 500)
        #expect(!policy.allowsRetry(afterAttempt: 1))
        #expect(!policy.shouldRetry(.connectFailed, afterAttempt: 1))
    }

    @Test func aCallIsMadeAtMostMaxRetriesPlusOneTimes() {
        let policy = RetryPolicy(maxRetries: 2, backoffMilliseconds: 100)
        #expect(policy.shouldRetry(.timedOut, afterAttempt: 1))
        #expect(policy.shouldRetry(.timedOut, afterAttempt: 2))
        #expect(!policy.shouldRetry(.timedOut, afterAttempt: 3))
        #expect(!policy.allowsRetry(afterAttempt: 0))
    }

    @Test func aNonRetryableFailureIsNotRetriedEvenWithBudgetLeft() {
        let policy = RetryPolicy(maxRetries: 5, backoffMilliseconds: 100)
        #expect(!policy.shouldRetry(.status(429), afterAttempt: 1))
        #expect(!policy.shouldRetry(.status(401), afterAttempt: 1))
        #expect(!policy.shouldRetry(.invalidAnswer, afterAttempt: 1))
        #expect(policy.shouldRetry(.status(503), afterAttempt: 1))
    }

    @Test func delaysDoubleFromTheBackoff() {
        let policy = RetryPolicy(maxRetries: 5, backoffMilliseconds: 500)
        #expect(policy.delayBeforeRetry(1) == .milliseconds(500))
        #expect(policy.delayBeforeRetry(2) == .milliseconds(1000))
        #expect(policy.delayBeforeRetry(3) == .milliseconds(2000))
        #expect(policy.delayBeforeRetry(4) == .seconds(4))
    }

    @Test func delaysAreCappedAtThirtySeconds() {
        let policy = RetryPolicy(maxRetries: 100, backoffMilliseconds: 500)
        #expect(policy.delayMillisecondsBeforeRetry(6) == 16_000)
        #expect(policy.delayMillisecondsBeforeRetry(7) == 30_000)
        #expect(policy.delayMillisecondsBeforeRetry(64) == 30_000)
        #expect(policy.delayMillisecondsBeforeRetry(.max) == 30_000)
        #expect(RetryPolicy(backoffMilliseconds: 60_000).delayBeforeRetry(1) == RetryPolicy.maximumDelay)
        #expect(RetryPolicy(backoffMilliseconds: .max).delayMillisecondsBeforeRetry(2) == 30_000)
    }

    @Test func aZeroBackoffRetriesAtOnce() {
        let policy = RetryPolicy(maxRetries: 3, backoffMilliseconds: 0)
        #expect(policy.delayBeforeRetry(1) == .zero)
        #expect(policy.delayBeforeRetry(3) == .zero)
    }

    @Test func negativeSettingsCountAsZero() {
        let policy = RetryPolicy(maxRetries: -1, backoffMilliseconds: -10)
        #expect(policy.maxRetries == 0)
        #expect(policy.backoffMilliseconds == 0)
        #expect(policy.delayMillisecondsBeforeRetry(1) == 0)
    }

    @Test func thereIsNoDelayBeforeTheFirstAttempt() {
        #expect(RetryPolicy(maxRetries: 1, backoffMilliseconds: 500).delayBeforeRetry(0) == .zero)
    }
}
