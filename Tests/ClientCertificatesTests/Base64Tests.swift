import Foundation
import NIOCore
import Testing

@testable import ClientCertificates

@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors, input and standard (padded) encoding.
    static let rfc4648Vectors: [(String, String)] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    private func encoded(_ bytes: some Collection<UInt8>, _ variant: Base64Variant) -> (String, Int) {
        var buffer = ByteBuffer()
        let written = buffer.writeBase64(bytes, variant)
        return (String(buffer: buffer), written)
    }

    @Test func standardEncodingMatchesTheRFC4648Vectors() {
        for (input, expected) in Self.rfc4648Vectors {
            let (output, written) = self.encoded(Array(input.utf8), .standard)
            #expect(output == expected, "input \(input)")
            #expect(written == expected.utf8.count)
        }
    }

    @Test func urlEncodingMatchesTheRFC4648VectorsWithoutPadding() {
        for (input, expected) in Self.rfc4648Vectors {
            let unpadded = String(expected.filter { $0 != "=" })
            let (output, written) = self.encoded(Array(input.utf8), .url)
            #expect(output == unpadded, "input \(input)")
            #expect(written == unpadded.utf8.count)
        }
    }

    @Test func the62ndAnd63rdCharactersDifferBetweenTheAlphabets() {
        // 0xFB 0xFF 0xBF is 111110 111111 111110 111111: values 62, 63, 62, 63.
        #expect(self.encoded([0xFB, 0xFF, 0xBF], .standard).0 == "+/+/")
        #expect(self.encoded([0xFB, 0xFF, 0xBF], .url).0 == "-_-_")
        #expect(self.encoded([0xFB, 0xFF], .standard).0 == "+/8=")
        #expect(self.encoded([0xFB, 0xFF], .url).0 == "-_8")
    }

    @Test func randomInputsEncodeAsFoundationDoes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...100 {
            let input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = Data(input).base64EncodedString()
            let urlReference = reference.replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(self.encoded(input, .standard).0 == reference, "input \(input)")
            #expect(self.encoded(input, .url).0 == urlReference, "input \(input)")
        }
    }

    @Test func encodedCountIsTheNumberOfCharactersWritten() {
        for length in 0...10 {
            let input = [UInt8](repeating: 0xA5, count: length)
            #expect(self.encoded(input, .standard).1 == Base64Variant.standard.encodedCount(length))
            #expect(self.encoded(input, .url).1 == Base64Variant.url.encodedCount(length))
        }
        #expect(Base64Variant.standard.encodedCount(256) == 344)
        #expect(Base64Variant.url.encodedCount(256) == 342)
    }

    @Test func nonContiguousCollectionsEncodeTheSameAsArrays() {
        let lazyBytes = "foobar".utf8.lazy.map { $0 }
        #expect(self.encoded(lazyBytes, .standard).0 == "Zm9vYmFy")
        #expect(self.encoded(lazyBytes.prefix(4), .url).0 == "Zm9vYg")
    }

    @Test func encodingAppendsAfterExistingBytes() {
        var buffer = ByteBuffer(string: "x=")
        buffer.writeBase64(Array("fo".utf8), .standard)
        #expect(String(buffer: buffer) == "x=Zm8=")
    }
}
