/// Which headers of a provider's answer the mock passes on (forward mode), records and replays.
enum RelayedHeaders {
    /// Connection-level headers the mock always computes itself.
    static func isFraming(_ name: String) -> Bool {
        switch name.lowercased() {
        case "content-length", "transfer-encoding", "connection", "keep-alive": true
        default: false
        }
    }

    /// `headers` without framing, `date` (the answer gets no stale clock) and the secret header, should a
    /// provider ever echo it (it must never reach a record file).
    static func relayed(
        _ headers: [(name: String, value: String)],
        secretHeaderName: String
    ) -> [(name: String, value: String)] {
        let secret = secretHeaderName.lowercased()
        return headers.filter { header in
            let name = header.name.lowercased()
            return !Self.isFraming(name) && name != "date" && name != secret
        }
    }
}
