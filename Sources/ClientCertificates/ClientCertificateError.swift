/// Why a client certificate cannot be described as a JWK. The gateway then omits `client_certificate` from
/// the sideband request and logs this error (SIDEBAND.md §2); the request itself goes on.
///
/// A struct over a private enum so that new reasons break no caller. Equality and hashing look at the
/// reason only, not at `detail` (an OID or what was wrong, for logs), so tests and callers can compare
/// with the static members.
public struct ClientCertificateError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case emptyChain
        case malformedCertificate
        case unsupportedKeyType
        case invalidPublicKey
    }

    private let kind: Kind
    /// Extra context for logs (the key algorithm's OID, which field broke); bounded, never part of equality.
    public let detail: String?

    private init(_ kind: Kind, detail: String? = nil) {
        self.kind = kind
        self.detail = detail.map { Self.bounded($0) }
    }

    /// The chain has no certificate at all, so there is no leaf to describe.
    public static let emptyChain = ClientCertificateError(.emptyChain)
    /// The leaf is not a DER X.509 certificate whose SubjectPublicKeyInfo can be found (RFC 5280 §4.1).
    public static let malformedCertificate = ClientCertificateError(.malformedCertificate)
    /// The leaf's key is of a kind with no JWK form here: anything but RSA (rsaEncryption or RSASSA-PSS),
    /// EC on P-256/P-384/P-521 with an uncompressed point, and Ed25519. `detail` names the algorithm.
    public static let unsupportedKeyType = ClientCertificateError(.unsupportedKeyType)
    /// The key's algorithm is supported but its bits do not have that algorithm's shape (an RSA key that is
    /// not two positive INTEGERs, an EC point or Ed25519 key of the wrong length).
    public static let invalidPublicKey = ClientCertificateError(.invalidPublicKey)

    /// The same reason with context for logs.
    public func with(detail: String) -> ClientCertificateError { .init(self.kind, detail: detail) }

    /// A short, bounded label usable as a metric label value.
    public var shortDescription: String {
        switch self.kind {
        case .emptyChain: "empty_chain"
        case .malformedCertificate: "malformed_certificate"
        case .unsupportedKeyType: "unsupported_key_type"
        case .invalidPublicKey: "invalid_public_key"
        }
    }

    public var description: String {
        let reason: String
        switch self.kind {
        case .emptyChain: reason = "client certificate chain is empty"
        case .malformedCertificate: reason = "client certificate is not a readable DER X.509 certificate"
        case .unsupportedKeyType: reason = "client certificate key type has no JWK form"
        case .invalidPublicKey: reason = "client certificate public key is malformed"
        }
        guard let detail else { return reason }
        return "\(reason): \(detail)"
    }

    public static func == (lhs: ClientCertificateError, rhs: ClientCertificateError) -> Bool {
        lhs.kind == rhs.kind
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.kind)
    }

    /// Details may quote certificate content; keep log lines bounded.
    private static func bounded(_ text: String) -> String {
        text.count <= 120 ? text : String(text.prefix(120)) + "…"
    }
}
