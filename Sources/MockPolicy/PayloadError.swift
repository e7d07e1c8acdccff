/// Why a sideband payload cannot be decided: answered 400 with this message, as PingAuthorize refuses
/// malformed calls.
struct PayloadError: Error, Sendable {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
