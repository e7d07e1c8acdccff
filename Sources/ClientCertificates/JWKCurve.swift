import SwiftASN1

/// The NIST curves a JWK `crv` can name (RFC 7518 §6.2.1.1), identified in a certificate by the
/// id-ecPublicKey `namedCurve` parameter (RFC 5480 §2.1.1.1).
enum JWKCurve: Hashable, Sendable {
    /// secp256r1, `crv` "P-256", 32-byte coordinates.
    case p256
    /// secp384r1, `crv` "P-384", 48-byte coordinates.
    case p384
    /// secp521r1, `crv` "P-521", 66-byte coordinates (521 bits rounded up to whole bytes).
    case p521

    /// - Throws: `unsupportedKeyType` for any other named curve (secp256k1, brainpool, ...) and
    ///   `malformedCertificate` when the parameters are absent or not an OID (implicitCurve and
    ///   specifiedCurve are forbidden in certificates by RFC 5480 §2.1.1).
    init(parameters: ASN1Node?) throws(ClientCertificateError) {
        guard let parameters, let curve = try? ASN1ObjectIdentifier(derEncoded: parameters) else {
            throw ClientCertificateError.malformedCertificate.with(detail: "EC key without a namedCurve")
        }
        switch curve {
        case ASN1ObjectIdentifier.NamedCurves.secp256r1: self = .p256
        case ASN1ObjectIdentifier.NamedCurves.secp384r1: self = .p384
        case ASN1ObjectIdentifier.NamedCurves.secp521r1: self = .p521
        default: throw ClientCertificateError.unsupportedKeyType.with(detail: "EC curve \(curve)")
        }
    }

    /// The JWK `crv` value.
    var name: StaticString {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        }
    }

    /// Length of each of `x` and `y`, the field size in whole bytes; JWK requires exactly this length.
    var coordinateByteCount: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }
}
