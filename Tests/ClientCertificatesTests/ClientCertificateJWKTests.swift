import Crypto
import Foundation
import NIOCore
import Testing
import X509
import _CryptoExtras

@testable import ClientCertificates

@Suite struct ClientCertificateJWKTests {
    private typealias Fixtures = CertificateFixtures

    /// Renders and parses back with JSONSerialization, so every output is checked to be valid JSON.
    private func render(_ chain: [[UInt8]], fullChain: Bool = false) throws -> (text: String, members: [String: Any]) {
        let buffer = try ClientCertificateJWK.render(chainDER: chain, includeFullChain: fullChain)
        let text = String(buffer: buffer)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let members = try #require(object as? [String: Any])
        return (text, members)
    }

    /// A key member decoded from base64url; fails the test if absent or not base64url.
    private func decodedMember(_ name: String, of members: [String: Any]) throws -> [UInt8] {
        let text = try #require(members[name] as? String, "no member \(name)")
        return try #require(Fixtures.decodeBase64URL(text), "member \(name) is not base64url: \(text)")
    }

    // MARK: - Key types

    @Test func rsaKeyGivesModulusAndExponentWithoutLeadingZeros() throws {
        let key = Fixtures.rsaKey
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))
        let primitives = try key.publicKey.getKeyPrimitives()

        let (text, members) = try self.render([der])

        let n = try self.decodedMember("n", of: members)
        let e = try self.decodedMember("e", of: members)
        #expect(n == [UInt8](primitives.modulus))
        #expect(e == [UInt8](primitives.publicExponent))
        #expect(n.count == 256)
        #expect(n.first != 0)
        #expect(members["e"] as? String == "AQAB")
        let expected =
            #"{"kty":"RSA","n":""# + Fixtures.base64URL(n) + #"","e":"AQAB","x5c":[""# + Fixtures.base64(der) + #""]}"#
        #expect(text == expected)
        // The members describe the same key: rebuilding it from them gives the original.
        let rebuilt = try _RSA.Signing.PublicKey(n: n, e: e)
        #expect(rebuilt.derRepresentation == key.publicKey.derRepresentation)
    }

    @Test func rsaPSSKeyIsDescribedAsAnRSAKey() throws {
        let key = Fixtures.rsaKey
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))
        // rsaEncryption (1.2.840.113549.1.1.1) → id-RSASSA-PSS (1.2.840.113549.1.1.10); the signature
        // algorithm (…1.1.11) does not match the pattern.
        let rsaEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        let rsaPSS: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]
        let pssDER = try #require(Fixtures.replacingOnly(rsaEncryption, with: rsaPSS, in: der))

        let (_, members) = try self.render([pssDER])

        #expect(members["kty"] as? String == "RSA")
        let n = try self.decodedMember("n", of: members)
        #expect(n == [UInt8](try key.publicKey.getKeyPrimitives().modulus))
    }

    @Test func p256KeyGivesFixedLengthCoordinates() throws {
        let key = P256.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))
        let x963 = [UInt8](key.publicKey.x963Representation)

        let (text, members) = try self.render([der])

        let x = try self.decodedMember("x", of: members)
        let y = try self.decodedMember("y", of: members)
        #expect([0x04] + x + y == x963)
        #expect(x.count == 32 && y.count == 32)
        let expected =
            #"{"kty":"EC","crv":"P-256","x":""# + Fixtures.base64URL(x) + #"","y":""# + Fixtures.base64URL(y)
            + #"","x5c":[""# + Fixtures.base64(der) + #""]}"#
        #expect(text == expected)
    }

    @Test func p384KeyGivesFixedLengthCoordinates() throws {
        let key = P384.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))

        let (_, members) = try self.render([der])

        #expect(members["kty"] as? String == "EC")
        #expect(members["crv"] as? String == "P-384")
        let x = try self.decodedMember("x", of: members)
        let y = try self.decodedMember("y", of: members)
        #expect(x.count == 48 && y.count == 48)
        #expect([0x04] + x + y == [UInt8](key.publicKey.x963Representation))
    }

    @Test func p521KeyGivesSixtySixByteCoordinates() throws {
        let key = P521.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))

        let (_, members) = try self.render([der])

        #expect(members["crv"] as? String == "P-521")
        let x = try self.decodedMember("x", of: members)
        let y = try self.decodedMember("y", of: members)
        #expect(x.count == 66 && y.count == 66)
        #expect([0x04] + x + y == [UInt8](key.publicKey.x963Representation))
    }

    @Test func ed25519KeyIsAnOKPWithTheRawKey() throws {
        let key = Curve25519.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))

        let (text, members) = try self.render([der])

        let x = try self.decodedMember("x", of: members)
        #expect(x == [UInt8](key.publicKey.rawRepresentation))
        let expected =
            #"{"kty":"OKP","crv":"Ed25519","x":""# + Fixtures.base64URL(x) + #"","x5c":[""# + Fixtures.base64(der)
            + #""]}"#
        #expect(text == expected)
    }

    // MARK: - x5c

    @Test func x5cHoldsTheLeafOnlyUnlessTheFullChainIsAsked() throws {
        let caKey = P256.Signing.PrivateKey()
        let caDER = try Fixtures.certificateDER(
            subjectKey: .init(caKey.publicKey),
            subject: "client CA",
            issuerKey: .init(caKey),
            issuer: "client CA",
            isCertificateAuthority: true
        )
        let leafKey = P384.Signing.PrivateKey()
        let leafDER = try Fixtures.certificateDER(
            subjectKey: .init(leafKey.publicKey),
            issuerKey: .init(caKey),
            issuer: "client CA"
        )

        let leafOnly = try #require(try self.render([leafDER, caDER], fullChain: false).members["x5c"] as? [String])
        let full = try #require(try self.render([leafDER, caDER], fullChain: true).members["x5c"] as? [String])

        #expect(leafOnly.map(Fixtures.decodeBase64) == [leafDER])
        #expect(full.map(Fixtures.decodeBase64) == [leafDER, caDER])
        // The key is always the leaf's, never the CA's.
        let (text, members) = try self.render([leafDER, caDER], fullChain: true)
        #expect(members["crv"] as? String == "P-384")
        #expect(text.hasSuffix(#""x5c":[""# + Fixtures.base64(leafDER) + #"",""# + Fixtures.base64(caDER) + #""]}"#))
    }

    @Test func versionOneCertificateWithoutAVersionFieldIsRead() throws {
        let key = P256.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key), version: .v1)

        let (_, members) = try self.render([der])

        let x = try self.decodedMember("x", of: members)
        let y = try self.decodedMember("y", of: members)
        #expect([0x04] + x + y == [UInt8](key.publicKey.x963Representation))
    }

    @Test func renderedLengthIsExactlyThePrecomputedCapacity() throws {
        let rsa = Fixtures.rsaKey
        let p521 = P521.Signing.PrivateKey()
        let ed25519 = Curve25519.Signing.PrivateKey()
        let chains = [
            [try Fixtures.certificateDER(subjectKey: .init(rsa.publicKey), issuerKey: .init(rsa))],
            [try Fixtures.certificateDER(subjectKey: .init(p521.publicKey), issuerKey: .init(p521))],
            [
                try Fixtures.certificateDER(subjectKey: .init(ed25519.publicKey), issuerKey: .init(ed25519)),
                try Fixtures.certificateDER(subjectKey: .init(p521.publicKey), issuerKey: .init(p521)),
            ],
        ]
        for chain in chains {
            let key = try JWKPublicKey(SubjectPublicKeyInfoView(certificateDER: chain[0]))
            let buffer = try ClientCertificateJWK.render(chainDER: chain, includeFullChain: true)
            #expect(buffer.readableBytes == ClientCertificateJWK.byteCount(key: key, certificates: chain[...]))
        }
    }

    // MARK: - Failures

    @Test func unsupportedKeyAlgorithmIsAnError() throws {
        // An Ed25519 key relabelled X25519 (1.3.101.110): a key-agreement key, with no JWK signing form.
        // The CA signs with ECDSA, so the Ed25519 OID occurs only in the subject's key.
        let caKey = P256.Signing.PrivateKey()
        let key = Curve25519.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(caKey))
        let x25519DER = try #require(
            Fixtures.replacingOnly([0x06, 0x03, 0x2B, 0x65, 0x70], with: [0x06, 0x03, 0x2B, 0x65, 0x6E], in: der)
        )

        let error = #expect(throws: ClientCertificateError.self) {
            try ClientCertificateJWK.render(chainDER: [x25519DER], includeFullChain: false)
        }
        #expect(error == .unsupportedKeyType)
        #expect(error?.shortDescription == "unsupported_key_type")
        #expect(error?.detail?.contains("1.3.101.110") == true)
    }

    @Test func emptyChainIsAnError() {
        #expect(throws: ClientCertificateError.emptyChain) {
            try ClientCertificateJWK.render(chainDER: [], includeFullChain: true)
        }
    }

    @Test func bytesThatAreNotACertificateAreAnError() throws {
        let key = P256.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))
        let notCertificates: [[UInt8]] = [
            [],
            Array("-----BEGIN CERTIFICATE-----".utf8),
            Array(der.prefix(der.count / 2)),
            [0x30, 0x03, 0x02, 0x01, 0x01],
            der + [0x00],
        ]
        for bytes in notCertificates {
            #expect(throws: ClientCertificateError.malformedCertificate, "input \(bytes.prefix(8))") {
                try ClientCertificateJWK.render(chainDER: [bytes, der], includeFullChain: true)
            }
        }
    }

    @Test func ecPointOfTheWrongLengthIsAnInvalidKey() throws {
        let key = P256.Signing.PrivateKey()
        let der = try Fixtures.certificateDER(subjectKey: .init(key.publicKey), issuerKey: .init(key))
        // swift-certificates cannot make a certificate with such a point, so alter the parsed key info.
        var info = try SubjectPublicKeyInfoView(certificateDER: der)
        info.keyBytes = info.keyBytes.dropLast()
        #expect(throws: ClientCertificateError.invalidPublicKey) {
            try JWKPublicKey(info)
        }
        info.keyBytes = [0x02] + info.keyBytes.dropFirst().prefix(32)
        #expect(throws: ClientCertificateError.unsupportedKeyType) {
            try JWKPublicKey(info)
        }
    }
}
