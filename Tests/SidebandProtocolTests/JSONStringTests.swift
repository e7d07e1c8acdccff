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
