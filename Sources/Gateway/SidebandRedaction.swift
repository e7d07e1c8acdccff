import Foundation
import NIOCore

/// Debug logs of sideband payloads and answers (`enable_debug_logging`) with the values of sensitive
/// headers replaced by `[REDACTED]` (answers echo the request's headers). Only runs when debug logging is on, so it may take the slow, simple road.
enum SidebandRedaction {
    static func redacted(_ payload: ByteBuffer, headers redacted: Set<String>) -> String {
        guard
            var object = try? JSONSerialization.jsonObject(with: Data(payload.readableBytesView)) as? [String: Any]
        else {
            return "<\(payload.readableBytes) bytes, not JSON>"
        }
        object = Self.redactHeaders(in: object, names: redacted)
        // the echoed request of a response-phase call, and the response object of a deny answer
        for nested in ["request", "response"] {
            if let inner = object[nested] as? [String: Any] {
                object[nested] = Self.redactHeaders(in: inner, names: redacted)
            }
        }
        guard
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else {
            return "<unprintable>"
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func redactHeaders(in object: [String: Any], names: Set<String>) -> [String: Any] {
        guard let headers = object["headers"] as? [[String: Any]] else { return object }
        var copy = object
        copy["headers"] = headers.map { entry in
            Dictionary(uniqueKeysWithValues: entry.map { key, value in
                names.contains(key.lowercased()) ? (key, "[REDACTED]" as Any) : (key, value)
            })
        }
        return copy
    }
}
