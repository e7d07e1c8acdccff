import NIOCore
import Testing

@testable import SidebandProtocol

/// The eight-bytes-at-a-time ASCII skip must not hide anything at any alignment.
@Suite struct UTF8ValidationRunTests {
    @Test func invalidBytesAreFoundAtEveryOffsetOfALongASCIIRun() {
        for offset in 0..<40 {
            var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 40)
            bytes[offset] = 0xFF
            #expect(!UTF8Validation.isValid(bytes), "offset \(offset)")
            bytes[offset] = 0x7F
            #expect(UTF8Validation.isValid(bytes), "offset \(offset)")
        }
    }

    @Test func multiByteSequencesAcrossWordBoundariesAreChecked() {
        for padding in 0..<10 {
            let prefix = [UInt8](repeating: UInt8(ascii: "x"), count: padding)
            #expect(UTF8Validation.isValid(prefix + Array("é✓😀".utf8) + prefix), "padding \(padding)")
            #expect(!UTF8Validation.isValid(prefix + [0xF0, 0x9F, 0x98]), "truncated at padding \(padding)")
            #expect(!UTF8Validation.isValid(prefix + [0xE2, 0x9C, 0x78, 0x93]), "split at padding \(padding)")
        }
    }

    @Test func byteBufferViewsAndNonContiguousCollectionsGiveTheSameAnswer() {
        var buffer = ByteBuffer(bytes: [0x00, 0xFF] + Array("plain é".utf8))
        #expect(!UTF8Validation.isValid(buffer.readableBytesView))
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(UTF8Validation.isValid(buffer.readableBytesView))
        #expect(UTF8Validation.isValid("é✓".utf8.lazy.map { $0 }))
        #expect(!UTF8Validation.isValid([UInt8]([0xC3]).lazy.map { $0 }))
    }
}
