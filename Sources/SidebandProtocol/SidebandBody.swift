public import NIOCore

/// How a request or response body is described to the policy provider (SIDEBAND.md §2, §4).
public enum SidebandBody: Sendable {
    /// No body, or a zero-length one: written as `"body":""` (the plugin did the same, so policies that
    /// read `body` always find a string).
    case empty
    /// The whole de-chunked body, written as a JSON string.
    ///
    /// Precondition: the readable bytes are valid UTF-8. The caller checks with `UTF8Validation.isValid`
    /// and refuses the request (415) or uses `.omitted` instead; the writer never sees invalid UTF-8, so
    /// the payload is always valid JSON (the plugin emitted raw invalid bytes, which a strict provider
    /// rejected). A zero-length buffer is written like `.empty`.
    case bytes(ByteBuffer)
    /// No `body` key at all: the body is not valid UTF-8 but its content type is excluded by
    /// `include_body_content_types`, so it is forwarded undescribed and policy body changes are ignored.
    case omitted
}
