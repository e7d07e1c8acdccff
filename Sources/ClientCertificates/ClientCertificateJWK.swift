public import NIOCore

/// The `client_certificate` member of a sideband request (SIDEBAND.md §2): the TLS client's public key as a
/// JWK (RFC 7517) plus the certificate itself in `x5c`.
///
/// Shapes, members in this order:
/// - RSA: `{"kty":"RSA","n":"…","e":"…","x5c":[…]}`
/// - EC: `{"kty":"EC","crv":"P-256","x":"…","y":"…","x5c":[…]}` (or P-384, P-521)
/// - Ed25519: `{"kty":"OKP","crv":"Ed25519","x":"…","x5c":[…]}`
///
/// Key members are base64url without padding; `x5c` entries are standard base64 with padding
/// (RFC 7517 §4.7). The output depends only on the chain, so a caller can render once per TLS connection
/// and write the same bytes into every request's payload.
public enum ClientCertificateJWK {
    /// Renders the JWK of the leaf certificate.
    ///
    /// - Parameters:
    ///   - chainDER: the peer's certificates in DER, leaf first, as the TLS stack verified them. Only the
    ///     leaf is parsed (up to its SubjectPublicKeyInfo); the others are copied into `x5c` as they are.
    ///   - includeFullChain: `false` puts the leaf alone in `x5c`; `true` puts every certificate of
    ///     `chainDER`, in the given order (the plugin's `include_full_cert_chain`).
    /// - Returns: the JSON object's bytes, exactly, with no surrounding whitespace.
    /// - Throws: `ClientCertificateError` when the chain is empty, the leaf cannot be read, or its key has
    ///   no JWK form here; the gateway then omits the member and logs. Nothing is written on failure.
    public static func render(
        chainDER: [[UInt8]],
        includeFullChain: Bool
    ) throws(ClientCertificateError) -> ByteBuffer {
        guard let leaf = chainDER.first else {
            throw .emptyChain
        }
        let key = try JWKPublicKey(SubjectPublicKeyInfoView(certificateDER: leaf))
        let certificates = includeFullChain ? chainDER[...] : chainDER.prefix(1)
        var buffer = ByteBufferAllocator().buffer(capacity: Self.byteCount(key: key, certificates: certificates))
        buffer.writeJWK(key: key, certificates: certificates)
        return buffer
    }

    /// The exact length of the rendered object, so the buffer is allocated once.
    static func byteCount(key: JWKPublicKey, certificates: ArraySlice<[UInt8]>) -> Int {
        let url = Base64Variant.url
        // `"x5c":[` and `]}` are 9 bytes; each entry adds two quotes and a comma, but the first has no comma.
        var count = certificates.reduce(0) { $0 + Base64Variant.standard.encodedCount($1.count) + 3 } + 8
        switch key {
        case .rsa(let modulus, let exponent):
            count += #"{"kty":"RSA","n":"","e":"","#.utf8.count
            count += url.encodedCount(modulus.count) + url.encodedCount(exponent.count)
        case .ellipticCurve(let curve, let x, let y):
            count += #"{"kty":"EC","crv":"","x":"","y":"","#.utf8.count + curve.name.utf8CodeUnitCount
            count += url.encodedCount(x.count) + url.encodedCount(y.count)
        case .ed25519(let x):
            count += #"{"kty":"OKP","crv":"Ed25519","x":"","#.utf8.count + url.encodedCount(x.count)
        }
        return count
    }
}

extension ByteBuffer {
    /// Writes the JWK object for `key` with `certificates` as `x5c`. Never fails: every member is base64,
    /// which needs no JSON escaping.
    mutating func writeJWK(key: JWKPublicKey, certificates: ArraySlice<[UInt8]>) {
        switch key {
        case .rsa(let modulus, let exponent):
            self.writeStaticString(#"{"kty":"RSA","n":""#)
            self.writeBase64(modulus, .url)
            self.writeStaticString(#"","e":""#)
            self.writeBase64(exponent, .url)
        case .ellipticCurve(let curve, let x, let y):
            self.writeStaticString(#"{"kty":"EC","crv":""#)
            self.writeStaticString(curve.name)
            self.writeStaticString(#"","x":""#)
            self.writeBase64(x, .url)
            self.writeStaticString(#"","y":""#)
            self.writeBase64(y, .url)
        case .ed25519(let x):
            self.writeStaticString(#"{"kty":"OKP","crv":"Ed25519","x":""#)
            self.writeBase64(x, .url)
        }
        self.writeStaticString(#"","x5c":["#)
        for (index, certificate) in certificates.enumerated() {
            self.writeStaticString(index == 0 ? #"""# : #"",""#)
            self.writeBase64(certificate, .standard)
        }
        self.writeStaticString(certificates.isEmpty ? "]}" : #""]}"#)
    }
}
