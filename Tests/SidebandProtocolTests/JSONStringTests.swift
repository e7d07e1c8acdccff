import Foundation
import NIOCore
import SidebandProtocol
import Testing

@Suite struct JSONStringTests {
    func written(_ bytes: [UInt8]) -> String {
        var buffer = ByteBuffer()
        buffer.writeJSONString(bytes)
        return String(buffer: buffer)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(written(Array("a\"b\\c".utf8)) == #""a\"b\\c""#)
        #expect(written(Array("\n\r\t\u{08}\u{0C}".utf8)) == #""\n\r\t\b\f""#)
        #expect(written([0x00, 0x01, 0x1F]) == #""\u0000\u0001\u001f""#)
    }

    @Test func passesSlashesAndUTF8Through() {
        #expect(written(Array("https://h/p?q=é✓".utf8)) == "\"https://h/p?q=é✓\"")
        #expect(written([]) == "\"\"")
    }

    @Test func outputIsJSONThatDecodesToTheInput() throws {
        let samples = [
            "plain", "quote\"inside", "tab\tnewline\n", "emoji 😀 and \u{7F}", String(repeating: "x", count: 10_000),
        ]
        for sample in samples {
            let json = "[" + written(Array(sample.utf8)) + "]"
            let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String]
            #expect(decoded == [sample])
        }
    }
}

@Suite struct UTF8ValidationTests {
    @Test func acceptsWellFormedUTF8() {
        #expect(UTF8Validation.isValid(Array("ascii é ✓ 😀".utf8)))
        #expect(UTF8Validation.isValid([UInt8]()))
    }

    @Test func rejectsMalformedSequences() {
        #expect(!UTF8Validation.isValid([0xFF]))
        #expect(!UTF8Validation.isValid([0xC3]))  // truncated
        #expect(!UTF8Validation.isValid([0xC0, 0xAF]))  // overlong
        #expect(!UTF8Validation.isValid([0xE0, 0x80, 0xAF]))  // overlong 3-byte
        #expect(!UTF8Validation.isValid([0xED, 0xA0, 0x80]))  // surrogate
        #expect(!UTF8Validation.isValid([0xF4, 0x90, 0x80, 0x80]))  // above U+10FFFF
        #expect(!UTF8Validation.isValid([0x80]))  // lone continuation
    }
}

@Suite struct JSONStringScannerTests {
    /// The reference: escape byte by byte, exactly as SIDEBAND.md §2 says.
    func reference(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x0C: out += Array("\\f".utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// The word-at-a-time scanner must find every byte that needs escaping wherever it sits in a word,
    /// next to bytes with the high bit set (which the bit tricks must not confuse).
    @Test func wordScannerMatchesTheByteByByteReference() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x01, 0x08, 0x09, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
            + Array("abcXYZ019/".utf8)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            var buffer = ByteBuffer()
            buffer.writeJSONString(bytes)
            #expect(Array(buffer.readableBytesView) == reference(bytes), "\(bytes)")
            var fromView = ByteBuffer()
            fromView.writeJSONString(ByteBuffer(bytes: bytes).readableBytesView)
            #expect(Array(fromView.readableBytesView) == reference(bytes))
        }
    }
}
