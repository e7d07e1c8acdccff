/// PingAuthorize's gateway authentication: the shared-secret header must carry one of the accepted
/// secrets.
enum GatewayToken {
    /// Whether a call with `presented` (the secret header's first value, nil when absent) may be answered.
    ///
    /// An empty `accepted` list turns authentication off (the default of a rules file without
    /// `shared_secrets`). Several secrets are accepted at once so a gateway's secret can be rotated without
    /// downtime. Each comparison takes the same time whatever the position of the first differing byte.
    static func isAccepted(_ presented: String?, accepted: [String]) -> Bool {
        if accepted.isEmpty { return true }
        guard let presented else { return false }
        var matched = false
        for secret in accepted where Self.constantTimeEquals(presented, secret) {
            matched = true
        }
        return matched
    }

    private static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs.utf8, rhs.utf8) {
            difference |= left ^ right
        }
        return difference == 0
    }
}
