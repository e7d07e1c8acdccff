import Crypto
import Foundation
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

        self.caCertificatePEM = try ca.serializeAsPEM().pemString
        self.caCertificatePath = directory + "/ca.pem"
        self.serverCertificatePath = directory + "/server.pem"
        self.serverKeyPath = directory + "/server.key"
        try self.caCertificatePEM.write(toFile: self.caCertificatePath, atomically: true, encoding: .utf8)
        try server.serializeAsPEM().pemString.write(toFile: self.serverCertificatePath, atomically: true, encoding: .utf8)
        try serverKey.pemRepresentation.write(toFile: self.serverKeyPath, atomically: true, encoding: .utf8)
    }
}
