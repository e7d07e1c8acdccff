import CompressNIO
import NIOCore

/// Decodes `Content-Encoding: gzip` / `deflate` upstream bodies for the response phase (zlib through
/// compress-nio). HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), but servers also send raw
/// deflate, so both are tried.
enum ResponseDecoding {
    static func decode(_ body: ByteBuffer, encoding: String, limit: Int) -> ByteBuffer? {
        let allocator = ByteBufferAllocator()
        switch encoding.trimmingCharacters() {
        case "gzip", "x-gzip":
            var input = body
            return try? input.decompress(with: .gzip(), maxSize: limit, allocator: allocator)
        case "deflate":
            var input = body
            if let decoded = try? input.decompress(with: .zlib(), maxSize: limit, allocator: allocator) {
                return decoded
            }
            var raw = body
            return try? raw.decompress(with: .deflate(), maxSize: limit, allocator: allocator)
        case "identity", "":
            return body
        default:
            return nil
        }
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String { String(self[...].trimmingASCIISpaces()) }
}
