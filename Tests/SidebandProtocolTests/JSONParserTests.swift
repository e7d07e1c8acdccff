import Foundation
import NIOCore
import Testing

@testable import SidebandProtocol

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(SidebandAnswerError) -> JSONValue {
        try JSONParser.parse(ByteBuffer(string: text)).root
    }

    @Test func parsesEveryKindOfValue() throws {
        let root = try parse(
            #" { "s": "text", "n": -1.5e3, "i": 42, "t": true, "f": false, "z": null, "a": [1, "two", []], "o": {} } "#
        )
        #expect(root.kind == .object)
        #expect(root.count == 8)
        #expect(root["s"]?.string == "text")
        #expect(root["n"]?.kind == .number)
        #expect(root["n"]?.numberText == "-1.5e3")
        #expect(root["n"]?.integer == nil)
        #expect(root["i"]?.integer == 42)
        #expect(root["t"]?.bool == true)
        #expect(root["f"]?.bool == false)
        #expect(root["z"]?.isNull == true)
        #expect(root["a"]?.elements.map(\.kind) == [.number, .string, .array])
        #expect(root["o"]?.kind == .object)
        #expect(root["o"]?.count == 0)
        #expect(root["missing"] == nil)
        #expect(root["s"]?["nested"] == nil)
    }

    @Test func scalarsAreValidDocumentsToo() throws {
        #expect(try parse("\"x\"").string == "x")
        #expect(try parse(" 0 ").integer == 0)
        #expect(try parse("null").isNull)
    }

    @Test func objectsKeepKeyOrderAndDuplicatesAndTheFirstWinsOnLookup() throws {
        let root = try parse(#"{"b": 1, "a": 2, "b": 3}"#)
        #expect(root.members.map(\.key) == ["b", "a", "b"])
        #expect(root.members.map { $0.value.integer } == [1, 2, 3])
        #expect(root["b"]?.integer == 1)
    }

    @Test func keysWithEscapesAreFoundByTheirDecodedName() throws {
        let root = try parse(#"{"st\u0061te": "x", "a\"b": "y"}"#)
        #expect(root["state"]?.string == "x")
        #expect(root["a\"b"]?.string == "y")
    }

    @Test func rawBytesAreTheExactSourceText() throws {
        let text = #"{"state": {"n" : 1, "l": [1.50, "\u00e9"]} , "s": "a\/b"}"#
        let root = try parse(text)
        #expect(String(buffer: try #require(root["state"]).rawBytes) == #"{"n" : 1, "l": [1.50, "\u00e9"]}"#)
        #expect(try #require(root["s"]).rawText == #""a\/b""#)
        #expect(root["s"]?.string == "a/b")
    }

    @Test func rawBytesAreRelativeToTheReadableBytes() throws {
        var buffer = ByteBuffer(string: "garbage{\"k\": [1]}")
        buffer.moveReaderIndex(forwardBy: 7)
        let root = try JSONParser.parse(buffer).root
        #expect(try #require(root["k"]).rawText == "[1]")
    }

    @Test func escapesDecodeIncludingSurrogatePairs() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#).string == "\"\\/\u{08}\u{0C}\n\r\t")
        #expect(try parse(#""\u0041\u00e9\u2713""#).string == "Aé✓")
        #expect(try parse(#""\ud83d\ude00 \uD83D\uDE00""#).string == "😀 😀")
        #expect(try parse(#""\u0000""#).string == "\u{0}")
        #expect(try parse("\"raw é✓😀\"").string == "raw é✓😀")
    }

    @Test func unpairedSurrogatesDecodeToTheReplacementCharacter() throws {
        #expect(try parse(#""\ud83d""#).string == "\u{FFFD}")
        #expect(try parse(#""\ud83dx""#).string == "\u{FFFD}x")
        #expect(try parse(#""\ude00\ud83d""#).string == "\u{FFFD}\u{FFFD}")
        #expect(try parse(#""\ud83d\u0041""#).string == "\u{FFFD}A")
    }

    @Test func malformedTextIsNotJSON() {
        let bad = [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]", "01", "1.", ".5",
            "-", "1e", "+1", "NaN", "tru", "nul", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"",
            "\"\\u12G4\"", "\"raw\nnewline\"", "\"tab\there\"", "[1]]", "{} {}", "{\"a\":1} x", "// c\n{}",
            "\u{FEFF}{}", "[\"\\\"]",
        ]
        for text in bad {
            #expect(throws: SidebandAnswerError.notJSON, "\(text.debugDescription)") { try parse(text) }
        }
    }

    @Test func invalidUTF8IsNotJSON() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: SidebandAnswerError.notJSON) { try JSONParser.parse(ByteBuffer(bytes: bytes)) }
        }
    }

    @Test func errorsSayWhereTheTextBroke() throws {
        let error = try #require(throws: SidebandAnswerError.self) { try parse(#"{"a": tru}"#) }
        #expect(error.detail?.contains("byte 6") == true)
        #expect(error.shortDescription == "not_json")
    }

    @Test func nestingIsLimitedTo64Levels() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try parse(deepest).kind == .array)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: SidebandAnswerError.tooDeep) { try parse(tooDeep) }
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(throws: SidebandAnswerError.tooDeep) { try parse(objects) }
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: SidebandAnswerError.tooDeep) { try parse(hostile) }
    }

    @Test func numbersFollowTheRFCGrammarAndKeepTheirText() throws {
        for text in ["0", "-0", "10", "-12", "0.5", "1e10", "1E+2", "2.5e-3", "123456789012345678901234567890"] {
            #expect(try parse(text).numberText == text)
        }
        #expect(try parse("123456789012345678901234567890").integer == nil)
        #expect(try parse("-7").integer == -7)
    }

    @Test func agreesWithFoundationOnTheGoldenAnswers() throws {
        for (file, json) in try GoldenCorpus.luaCases() {
            for call in (json["sideband"] as? [[String: Any]]) ?? [] {
                guard let answer = call["answer"], !(answer is String) else { continue }
                let buffer = try JSONTesting.buffer(answer)
                let root = try JSONParser.parse(buffer).root
                #expect(
                    try Self.foundationValue(root).map(JSONTesting.canonical) == JSONTesting.canonical(answer),
                    "\(file)"
                )
            }
        }
    }

    /// Rebuilds a Foundation value from the tape, for comparison with JSONSerialization's reading.
    static func foundationValue(_ value: JSONValue) throws -> Any? {
        switch value.kind {
        case .object:
            var object: [String: Any] = [:]
            for (key, member) in value.members where object[key] == nil { object[key] = try foundationValue(member) }
            return object
        case .array: return try value.elements.map { try foundationValue($0) ?? NSNull() }
        case .string: return value.string
        case .number:
            return try JSONSerialization.jsonObject(with: Data(value.rawText.utf8), options: .fragmentsAllowed)
        case .bool: return value.bool
        case .null: return NSNull()
        }
    }
}
