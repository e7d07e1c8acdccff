import Crypto
import _CryptoExtras
import Foundation
public import NIOSSL
import SwiftASN1
import X509

/// A throw-away certificate authority and a server certificate for `localhost` / 127.0.0.1, generated
/// per test run and written as PEM files, so TLS tests use real certificates and no fixture can expire.
public struct TestCertificates: Sendable {
    public let directory: String
    public let caCertificatePath: String
    public let serverCertificatePath: String
    public let serverKeyPath: String
    public let caCertificatePEM: String
    private let caKey: P256.Signing.PrivateKey
    private let caName: DistinguishedName

    public init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ping-auth-proxy-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory

        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("ping-auth-proxy test CA") }
        let ca = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(86_400),
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey)
        )

        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(86_400),
            issuer: caName,
            subject: try DistinguishedName { CommonName("localhost") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            },
            issuerPrivateKey: .init(caKey)
        )

        self.caKey = caKey
        self.caName = caName
        self.caCertificatePEM = try ca.serializeAsPEM().pemString
        self.caCertificatePath = directory + "/ca.pem"
        self.serverCertificatePath = directory + "/server.pem"
        self.serverKeyPath = directory + "/server.key"
        try self.caCertificatePEM.write(toFile: self.caCertificatePath, atomically: true, encoding: .utf8)
        try server.serializeAsPEM().pemString.write(toFile: self.serverCertificatePath, atomically: true, encoding: .utf8)
        try serverKey.pemRepresentation.write(toFile: self.serverKeyPath, atomically: true, encoding: .utf8)
    }

    public enum ClientKeyType: String, Sendable, CaseIterable {
        case rsa, p256, ed25519
    }

    /// A client certificate signed by this CA, written as PEM files, with what its JWK must contain.
    public struct ClientCertificate: Sendable {
        public var certificatePath: String
        public var keyPath: String
        public var der: [UInt8]
        /// Expected JWK members (base64url), e.g. ["kty": "EC", "crv": "P-256", "x": ..., "y": ...].
        public var expectedJWK: [String: String]
    }

    public func issueClientCertificate(_ type: ClientKeyType) throws -> ClientCertificate {
        let now = Date()
        let publicKey: Certificate.PublicKey
        let keyPEM: String
        var expected: [String: String]
        switch type {
        case .rsa:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            publicKey = Certificate.PublicKey(key.publicKey)
            keyPEM = key.pemRepresentation
            let primitives = try key.publicKey.getKeyPrimitives()
            expected = [
                "kty": "RSA", "n": Self.base64URL(Self.stripLeadingZeros(Array(primitives.modulus))),
                "e": Self.base64URL(Self.stripLeadingZeros(Array(primitives.publicExponent))),
            ]
        case .p256:
            let key = P256.Signing.PrivateKey()
            publicKey = Certificate.PublicKey(key.publicKey)
            keyPEM = key.pemRepresentation
            let point = Array(key.publicKey.x963Representation)
            expected = [
                "kty": "EC", "crv": "P-256", "x": Self.base64URL(Array(point[1..<33])),
                "y": Self.base64URL(Array(point[33..<65])),
            ]
        case .ed25519:
            let key = Curve25519.Signing.PrivateKey()
            publicKey = Certificate.PublicKey(key.publicKey)
            // PKCS #8 for Ed25519 (RFC 8410): a fixed prefix, then the 32-byte seed.
            let pkcs8: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
                + Array(key.rawRepresentation)
            keyPEM = "-----BEGIN PRIVATE KEY-----\n" + Data(pkcs8).base64EncodedString(options: [.lineLength64Characters])
                + "\n-----END PRIVATE KEY-----\n"
            expected = ["kty": "OKP", "crv": "Ed25519", "x": Self.base64URL(Array(key.publicKey.rawRepresentation))]
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(86_400),
            issuer: self.caName,
            subject: try DistinguishedName { CommonName("client-\(type.rawValue)") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: .init(self.caKey)
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        let base = self.directory + "/client-\(type.rawValue)"
        try certificate.serializeAsPEM().pemString.write(toFile: base + ".pem", atomically: true, encoding: .utf8)
        try keyPEM.write(toFile: base + ".key", atomically: true, encoding: .utf8)
        expected["x5c0"] = Data(der).base64EncodedString()
        return ClientCertificate(certificatePath: base + ".pem", keyPath: base + ".key", der: der, expectedJWK: expected)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func stripLeadingZeros(_ bytes: [UInt8]) -> [UInt8] {
        let trimmed = bytes.drop { $0 == 0 }
        return trimmed.isEmpty ? [0] : Array(trimmed)
    }

    /// The `proxy.tls` entry of a gateway configuration serving this server certificate.
    public var proxyTLSEntry: String {
        #"tls: {certificate: "\#(self.serverCertificatePath)", key: "\#(self.serverKeyPath)"}"#
    }

    /// A TLS client context that trusts this CA (and presents no certificate).
    public func trustingClientContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(self.caCertificatePath)
        return try NIOSSLContext(configuration: configuration)
    }
}
