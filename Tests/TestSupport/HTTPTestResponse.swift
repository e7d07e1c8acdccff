import Foundation

/// One parsed HTTP/1.x response, as a test sees it.
public struct HTTPTestResponse: Sendable {
    public var version: String
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public var bodyText: String { String(decoding: self.body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public func headerValues(_ name: String) -> [String] {
        self.headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The body as a JSON object.
    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(self.body)) as? [String: Any] else {
            throw TestError("body is not a JSON object: \(self.bodyText)")
        }
        return object
    }

    /// Parses one response from the front of `bytes`; nil when more bytes are needed.
    /// Returns the response and how many bytes it used.
    static func parse(_ bytes: [UInt8], connectionClosed: Bool, headRequest: Bool) throws -> (HTTPTestResponse, Int)? {
        guard let headEnd = Self.find([13, 10, 13, 10], in: bytes, from: 0) else { return nil }
        let headText = String(decoding: bytes[0..<headEnd], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw TestError("bad status line: \(statusLine)") }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw TestError("bad header line: \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = HTTPTestResponse(version: String(parts[0]), status: status, headers: headers, body: [])
        let bodyStart = headEnd + 4
        if (100..<200).contains(status) || status == 204 || status == 304 || headRequest {
            return (response, bodyStart)
        }
        if let length = response.header("content-length").flatMap({ Int($0) }) {
            guard bytes.count >= bodyStart + length else { return nil }
            response.body = Array(bytes[bodyStart..<(bodyStart + length)])
            return (response, bodyStart + length)
        }
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            var index = bodyStart
            var body: [UInt8] = []
            while true {
                guard let lineEnd = Self.find([13, 10], in: bytes, from: index) else { return nil }
                let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";")[0]
                guard let size = Int(sizeText, radix: 16) else { throw TestError("bad chunk size: \(sizeText)") }
                index = lineEnd + 2
                if size == 0 {
                    // trailers, then the empty line
                    while true {
                        guard let end = Self.find([13, 10], in: bytes, from: index) else { return nil }
                        let empty = end == index
                        index = end + 2
                        if empty { break }
                    }
                    response.body = body
                    return (response, index)
                }
                guard bytes.count >= index + size + 2 else { return nil }
                body.append(contentsOf: bytes[index..<(index + size)])
                index += size + 2
            }
        }
        // Delimited by close.
        guard connectionClosed else { return nil }
        response.body = Array(bytes[bodyStart...])
        return (response, bytes.count)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
