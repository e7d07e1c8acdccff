import NIOConcurrencyHelpers
import Foundation
import NIOCore
import SidebandProtocol

/// The JSON bodies the mock writes itself (everything that is not a rule's decision), in PingAuthorize's
/// error shape `{"id":"<uuid>","code":"...","message":"..."}` so a gateway logs them as it logs
/// PingAuthorize's own.
enum MockPDPBodies {
    /// `401`: the secret header is missing or carries no accepted secret. PingAuthorize's exact wording.
    static func unauthorized() -> ByteBuffer {
        Self.error(code: "UNAUTHORIZED", message: "The Gateway Token is invalid")
    }

    /// `404` for a path that is neither a sideband call nor a `/_mock/` endpoint.
    static func notFound() -> ByteBuffer {
        Self.error(
            code: "NOT_FOUND",
            message: "no such endpoint: use POST .../sideband/request, POST .../sideband/response, "
                + "GET /_mock/decisions or GET /_mock/health"
        )
    }

    /// `405` for a known path with the wrong method.
    static func methodNotAllowed(allow: String) -> ByteBuffer {
        Self.error(code: "METHOD_NOT_ALLOWED", message: "use \(allow)")
    }

    /// `413` for a call whose body exceeds the mock's limit.
    static func tooLarge(limit: Int) -> ByteBuffer {
        Self.error(code: "REQUEST_TOO_LARGE", message: "the call's body exceeds \(limit) bytes")
    }

    /// The `settings.error_rate` answer.
    static func injectedError(status: Int) -> ByteBuffer {
        Self.error(code: "MOCK_ERROR_RATE", message: "injected error \(status) (settings.error_rate)")
    }

    /// The `fault: {rate_limit: ...}` answer, in PingAuthorize's rate-limit shape.
    static func rateLimited() -> ByteBuffer {
        Self.error(code: "LIMIT_EXCEEDED", message: "Too many requests (injected fault)")
    }

    /// `502` in forward mode when the real provider gave no answer.
    static func providerFailed(_ detail: String) -> ByteBuffer {
        Self.error(code: "BAD_GATEWAY", message: "the policy provider did not answer: \(detail)")
    }

    /// `404` in replay mode when no recording matches.
    static func notRecorded() -> ByteBuffer {
        ByteBuffer(string: #"{"message":"no recorded answer for this call"}"#)
    }

    /// `GET /_mock/health`.
    static func healthy() -> ByteBuffer {
        ByteBuffer(string: #"{"status":"UP"}"#)
    }

    /// The body of `fault: garbage`: a 200 whose body no JSON parser accepts.
    static func garbage() -> ByteBuffer {
        ByteBuffer(string: "not json")
    }

    /// UUID-shaped ids for error bodies, made like the answers' Correlation-Ids: 401s, injected errors and
    /// rate limits are answered per call under load, where Foundation's UUID() (a read of /dev/urandom
    /// each) was the mock's largest cost.
    private static let errorIDs = NIOLockedValueBox(CorrelationIDs())

    /// `{"id":"<fresh id>","code":code,"message":message}`.
    static func error(code: StaticString, message: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(96 + message.utf8.count)
        buffer.writeStaticString(#"{"id":""#)
        buffer.writeString(Self.errorIDs.withLockedValue { $0.next() })
        buffer.writeStaticString(#"","code":""#)
        buffer.writeStaticString(code)
        buffer.writeStaticString(#"","message":"#)
        buffer.writeJSONString(message)
        buffer.writeStaticString("}")
        return buffer
    }
}
