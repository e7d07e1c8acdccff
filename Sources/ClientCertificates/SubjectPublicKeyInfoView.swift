import SwiftASN1

/// The leaf certificate's SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), found by walking the DER tree without
/// decoding names, validity or extensions.
///
/// Why not `X509.Certificate(derEncoded:)`: it decodes every extension (costly per request and stricter
/// than the TLS stack that already accepted this certificate), it refuses RSA keys under 2048 bits and
/// RSASSA-PSS keys, and it hides the algorithm identifier we need to name an unsupported key in a log.
/// The chain has already been verified by the TLS handshake, so only its shape is checked here.
struct SubjectPublicKeyInfoView {
    /// `AlgorithmIdentifier.algorithm`, e.g. rsaEncryption or id-ecPublicKey.
    var algorithm: ASN1ObjectIdentifier
    /// `AlgorithmIdentifier.parameters`; `nil` when absent (Ed25519, RFC 8410 §3). For EC keys, the curve.
    var parameters: ASN1Node?
    /// The `subjectPublicKey` BIT STRING's bytes (always a whole number of bytes for the algorithms we know).
    var keyBytes: ArraySlice<UInt8>

    /// `[0] EXPLICIT Version` at the start of `TBSCertificate`; absent in v1 certificates.
    private static let versionTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// Parses `certificateDER` (one `Certificate` in DER, nothing after it).
    ///
    /// - Throws: `ClientCertificateError.malformedCertificate` when the bytes are not DER, not a SEQUENCE
    ///   shaped like a certificate up to its SubjectPublicKeyInfo, or the key's BIT STRING has unused bits.
    init(certificateDER: [UInt8]) throws(ClientCertificateError) {
        do {
            let certificate = try DER.parse(certificateDER)
            var certificateFields = try Self.sequenceFields(certificate)
            guard let tbsCertificate = certificateFields.next() else {
                throw ClientCertificateError.malformedCertificate.with(detail: "no tbsCertificate")
            }
            var fields = try Self.sequenceFields(tbsCertificate)
            var field = fields.next()
            if field?.identifier == Self.versionTag {
                field = fields.next()
            }
            // serialNumber, signature, issuer, validity and subject come before subjectPublicKeyInfo.
            for _ in 0..<5 {
                guard field != nil else {
                    throw ClientCertificateError.malformedCertificate.with(detail: "tbsCertificate too short")
                }
                field = fields.next()
            }
            guard let subjectPublicKeyInfo = field else {
                throw ClientCertificateError.malformedCertificate.with(detail: "no subjectPublicKeyInfo")
            }
            try self.init(subjectPublicKeyInfo: subjectPublicKeyInfo)
        } catch let error as ClientCertificateError {
            throw error
        } catch {
            throw ClientCertificateError.malformedCertificate.with(detail: "\(error)")
        }
    }

    /// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
    /// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
    private init(subjectPublicKeyInfo node: ASN1Node) throws {
        var fields = try Self.sequenceFields(node)
        guard let algorithmIdentifier = fields.next(), let subjectPublicKey = fields.next(), fields.next() == nil
        else {
            throw ClientCertificateError.malformedCertificate.with(detail: "subjectPublicKeyInfo is not 2 fields")
        }
        var algorithmFields = try Self.sequenceFields(algorithmIdentifier)
        guard let algorithm = algorithmFields.next() else {
            throw ClientCertificateError.malformedCertificate.with(detail: "empty AlgorithmIdentifier")
        }
        self.algorithm = try ASN1ObjectIdentifier(derEncoded: algorithm)
        self.parameters = algorithmFields.next()
        guard algorithmFields.next() == nil else {
            throw ClientCertificateError.malformedCertificate.with(detail: "AlgorithmIdentifier has extra fields")
        }
        let key = try ASN1BitString(derEncoded: subjectPublicKey)
        guard key.paddingBits == 0 else {
            throw ClientCertificateError.malformedCertificate.with(detail: "subjectPublicKey has unused bits")
        }
        self.keyBytes = key.bytes
    }

    /// The children of a constructed SEQUENCE node, in order.
    private static func sequenceFields(_ node: ASN1Node) throws -> ASN1NodeCollection.Iterator {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw ClientCertificateError.malformedCertificate.with(detail: "expected a SEQUENCE")
        }
        return children.makeIterator()
    }
}
