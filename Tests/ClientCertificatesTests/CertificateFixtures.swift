import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Certificates made in the test run (nothing on disk can expire), and independent decoders for what the
/// module writes: Foundation's base64 and JSONSerialization, not the module's own code.
enum CertificateFixtures {
    /// Generating a 2048-bit RSA key takes a noticeable time in debug builds; one is enough for all tests.
    static let rsaKey: _RSA.Signing.PrivateKey = {
        do {
            return try _RSA.Signing.PrivateKey(keySize: .bits2048)
        } catch {
            fatalError("RSA key generation failed: \(error)")
        }
    }()

    /// A certificate for `subjectKey`, signed by `issuerKey` (self-signed when both are the same key pair).
    /// A `.v1` certificate has no `version` field at all (its DER default) and no extensions.
    static func certificateDER(
        subjectKey: Certificate.PublicKey,
        subject: String = "client",
        issuerKey: Certificate.PrivateKey,
        issuer: String = "client",
        isCertificateAuthority: Bool = false,
        version: Certificate.Version = .v3
    ) throws -> [UInt8] {
        let now = Date()
        let certificate = try Certificate(
            version: version,
            serialNumber: .init(),
            publicKey: subjectKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(3600),
            issuer: try DistinguishedName { CommonName(issuer) },
            subject: try DistinguishedName { CommonName(subject) },
            extensions: try Certificate.Extensions {
                if version != .v3 {
                    // v1 and v2 certificates have no extensions (RFC 5280 §4.1.2.9).
                } else if isCertificateAuthority {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(keyCertSign: true))
                } else {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.clientAuth])
                }
            },
            issuerPrivateKey: issuerKey
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// Replaces the only occurrence of `pattern` in `bytes` (same length, so every DER length stays valid).
    static func replacingOnly(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8]? {
        precondition(pattern.count == replacement.count)
        let starts = bytes.indices.dropLast(pattern.count - 1).filter {
            bytes[$0..<$0 + pattern.count].elementsEqual(pattern)
        }
        guard starts.count == 1, let start = starts.first else { return nil }
        var result = bytes
        result.replaceSubrange(start..<start + pattern.count, with: replacement)
        return result
    }

    /// Standard base64 with padding, by Foundation.
    static func base64(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Base64url without padding (RFC 7515 §2), by Foundation.
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        self.base64(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url without padding, by Foundation; `nil` if it is not base64url.
    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard !text.contains("="), !text.contains("+"), !text.contains("/") else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }

    /// Decodes standard padded base64, by Foundation.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        Data(base64Encoded: text).map { [UInt8]($0) }
    }
}
