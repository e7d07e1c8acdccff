import SwiftASN1

/// A certificate's public key reduced to the JWK members that describe it (RFC 7518 §6, RFC 8037 §2).
///
/// Every member is a slice of the certificate's own DER bytes: nothing is decoded into a crypto library
/// key and nothing is copied until it is base64url-encoded into the output.
enum JWKPublicKey {
    /// `kty` "RSA": modulus and public exponent, big-endian unsigned, no leading zero byte (RFC 7518 §6.3.1).
    case rsa(modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>)
    /// `kty` "EC": the affine coordinates, each exactly `curve.coordinateByteCount` bytes (RFC 7518 §6.2.1).
    case ellipticCurve(JWKCurve, x: ArraySlice<UInt8>, y: ArraySlice<UInt8>)
    /// `kty` "OKP", `crv` "Ed25519": the 32-byte public key as in RFC 8032 (RFC 8037 §2).
    case ed25519(x: ArraySlice<UInt8>)

    /// Algorithm OIDs that are not in SwiftASN1's table.
    private static let ed25519Algorithm: ASN1ObjectIdentifier = [1, 3, 101, 112]

    /// Classifies the key by its algorithm identifier and cuts its bits into JWK members.
    ///
    /// RSASSA-PSS keys (RFC 4055 §1.2) carry the same RSAPublicKey as rsaEncryption; JWK has no separate
    /// form for them, so both become `kty` "RSA" and the PSS parameters are dropped.
    ///
    /// - Throws: `unsupportedKeyType` for any other algorithm or curve, or a compressed EC point;
    ///   `invalidPublicKey` when the bits do not have the algorithm's shape.
    init(_ info: SubjectPublicKeyInfoView) throws(ClientCertificateError) {
        switch info.algorithm {
        case ASN1ObjectIdentifier.AlgorithmIdentifier.rsaEncryption, ASN1ObjectIdentifier.AlgorithmIdentifier.rsaPSS:
            self = try Self.rsa(pkcs1DER: info.keyBytes)
        case ASN1ObjectIdentifier.AlgorithmIdentifier.idEcPublicKey:
            let curve = try JWKCurve(parameters: info.parameters)
            self = try Self.ellipticCurve(curve, point: info.keyBytes)
        case Self.ed25519Algorithm:
            guard info.keyBytes.count == 32 else {
                let detail = "Ed25519 key of \(info.keyBytes.count) bytes"
                throw ClientCertificateError.invalidPublicKey.with(detail: detail)
            }
            self = .ed25519(x: info.keyBytes)
        default:
            throw ClientCertificateError.unsupportedKeyType.with(detail: "key algorithm \(info.algorithm)")
        }
    }

    /// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1).
    ///
    /// SwiftASN1 decodes an INTEGER into unsigned big-endian bytes: it refuses negative values and
    /// non-minimal encodings and drops the one leading zero byte DER needs when the top bit is set, so the
    /// result has no leading zero unless the value is zero, which is refused here.
    private static func rsa(pkcs1DER: ArraySlice<UInt8>) throws(ClientCertificateError) -> JWKPublicKey {
        let members: (modulus: ArraySlice<UInt8>, exponent: ArraySlice<UInt8>)
        do {
            members = try DER.sequence(DER.parse(pkcs1DER), identifier: .sequence) { fields in
                let modulus = try ArraySlice<UInt8>(derEncoded: &fields)
                let exponent = try ArraySlice<UInt8>(derEncoded: &fields)
                return (modulus, exponent)
            }
        } catch {
            throw ClientCertificateError.invalidPublicKey.with(detail: "RSAPublicKey: \(error)")
        }
        guard !members.modulus.isEmpty, !members.exponent.isEmpty else {
            throw ClientCertificateError.invalidPublicKey.with(detail: "RSA modulus or exponent is zero")
        }
        return .rsa(modulus: members.modulus, exponent: members.exponent)
    }

    /// An uncompressed point, `04 || x || y` (SEC 1 §2.3.3), as every TLS stack sends by default.
    ///
    /// Compressed points (`02`/`03 || x`) would need the curve arithmetic to recover y, so they are
    /// reported as unsupported rather than half-described.
    private static func ellipticCurve(
        _ curve: JWKCurve,
        point: ArraySlice<UInt8>
    ) throws(ClientCertificateError) -> JWKPublicKey {
        let size = curve.coordinateByteCount
        switch point.first {
        case 0x04 where point.count == 1 + 2 * size:
            let x = point.dropFirst().prefix(size)
            let y = point.suffix(size)
            return .ellipticCurve(curve, x: x, y: y)
        case 0x02, 0x03:
            throw ClientCertificateError.unsupportedKeyType.with(detail: "compressed \(curve.name) point")
        default:
            throw ClientCertificateError.invalidPublicKey.with(detail: "\(curve.name) point of \(point.count) bytes")
        }
    }
}
