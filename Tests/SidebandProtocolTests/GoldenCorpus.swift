import Foundation
import NIOCore
import Testing

/// The shared golden corpus (`../shared/golden` beside the repository): the original plugin's observed traffic and real
/// PingAuthorize answers. Found relative to this file, four levels up, then `shared/golden`.
enum GoldenCorpus {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SidebandProtocolTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository
        .deletingLastPathComponent()  // its parent
        .appendingPathComponent("shared/golden")

    /// The corpus directory; records an issue (and stops the test) when it is missing.
    static func requireDirectory() throws -> URL {
        try #require(
            FileManager.default.fileExists(atPath: Self.directory.path),
            "golden corpus not found at \(Self.directory.path)"
        )
        return Self.directory
    }

    /// Every `golden/lua/cases/*.json`, by file name, in order.
    static func luaCases() throws -> [(file: String, json: [String: Any])] {
        let casesDirectory = try Self.requireDirectory().appendingPathComponent("lua/cases")
        let files = try FileManager.default.contentsOfDirectory(atPath: casesDirectory.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try files.map { file in
            let data = try Data(contentsOf: casesDirectory.appendingPathComponent(file))
            return (file, try #require(JSONSerialization.jsonObject(with: data) as? [String: Any]))
        }
    }

    /// One lua case by its file name prefix (`"51"`).
    static func luaCase(_ number: String) throws -> [String: Any] {
        try #require(try Self.luaCases().first { $0.file.hasPrefix(number + "-") }?.json)
    }

    /// The `examples` of `golden/paz/captured-answers.json`.
    static func pazExamples() throws -> [[String: Any]] {
        let url = try Self.requireDirectory().appendingPathComponent("paz/captured-answers.json")
        let object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try #require(object["examples"] as? [[String: Any]])
    }
}

/// JSON helpers for assertions (Foundation is fine in tests).
enum JSONTesting {
    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        return try #require(parsed as? [String: Any])
    }

    /// Sorted-key serialisation: compares JSON values regardless of key order.
    static func canonical(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// An answer from the corpus as the provider sent it: objects serialised, a string (the corpus keeps
    /// a non-JSON answer as its text) as is.
    static func buffer(_ value: Any) throws -> ByteBuffer {
        if let text = value as? String { return ByteBuffer(string: text) }
        return ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: value))
    }
}
