import Foundation
import NIOCore
import Testing

@testable import SidebandProtocol

/// The writer against every `/sideband/request` payload the plugin sent in the golden corpus, modulo the
/// deliberate differences of SIDEBAND.md §2: `source_port` is a number, `http_version` is `"1.0"` (the
/// plugin wrote `"1"`), the url path is the gateway's escaped normal form (case 13), the query is verbatim
/// (the plugin re-encoded, reordered and truncated it), headers are an array even when empty (the plugin
/// wrote `{}`), and header names arrive in any case and are lower-cased by the writer.
@Suite struct GoldenRequestPayloadTests {
    /// The path the gateway normalises to where it differs from the plugin's decoded form.
    static let normalisedPaths = ["13": "/a/c/~user/%2F/xA/caf%C3%A9/sp%20ace"]

    @Test func writerOutputMatchesTheGoldenPayloadsModuloDocumentedDifferences() throws {
        var compared = 0
        for (file, json) in try GoldenCorpus.luaCases() {
            guard let request = json["sideband_request"] as? [String: Any],
                let golden = request["parsed"] as? [String: Any],
                let goldenURL = golden["url"] as? String
            else { continue }
            let number = String(file.prefix(2))
            let testCase = try #require(json["case"] as? [String: Any])

            let url = try #require(SplitURL(goldenURL), "\(file)")
            let path = Self.normalisedPaths[number] ?? url.path
            let caseQuery = testCase["query"] as? String
            let query = caseQuery?.isEmpty == false ? caseQuery : url.query
            let goldenHeaders = (golden["headers"] as? [[String: String]]) ?? []
            var headers: HeaderList = [(name: "X_Smuggled", value: "dropped")]
            for entry in goldenHeaders {
                let (name, value) = try #require(entry.first)
                headers.append((name: Self.titleCased(name), value: value))
            }
            let goldenBody = golden["body"] as? String
            let body: SidebandBody =
                switch goldenBody {
                case nil: .omitted
                case ""?: .empty
                case let text?: .bytes(ByteBuffer(string: text))
                }
            let httpVersion = golden["http_version"] as? String == "1" ? "1.0" : "1.1"
            let sourcePort = try #require((golden["source_port"] as? String).flatMap { Int($0) })

            let description = SidebandRequestDescription(
                sourceIP: try #require(golden["source_ip"] as? String),
                sourcePort: sourcePort,
                method: try #require(golden["method"] as? String),
                scheme: url.scheme,
                host: url.host,
                port: url.port,
                path: path,
                query: query.map { Substring($0) },
                httpVersion: httpVersion,
                headers: headers,
                body: body,
                clientCertificate: nil
            )
            var buffer = ByteBuffer()
            SidebandPayloadWriter.writeRequest(description, into: &buffer)

            var expected = golden
            expected["source_port"] = sourcePort
            expected["http_version"] = httpVersion
            expected["headers"] = goldenHeaders
            expected["url"] = "\(url.scheme)://\(url.host):\(url.port)\(path)" + (query.map { "?\($0)" } ?? "")
            #expect(
                try JSONTesting.canonical(JSONTesting.object(buffer)) == JSONTesting.canonical(expected),
                "\(file)"
            )
            compared += 1
        }
        #expect(compared >= 60)
    }

    /// The request payload of case 13 carries the escaped path, never the decoded one the plugin sent
    /// (`café/sp ace`), so routing, policy and upstream see one form.
    @Test func case13DescribesTheEscapedNormalisedPath() throws {
        let written = writtenRequest(
            describeRequest(scheme: "http", host: "127.0.0.1", port: 8000, path: "/a/c/~user/%2F/xA/caf%C3%A9/sp%20ace")
        )
        #expect(
            try JSONTesting.object(written)["url"] as? String
                == "http://127.0.0.1:8000/a/c/~user/%2F/xA/caf%C3%A9/sp%20ace"
        )
    }

    private static func titleCased(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined(separator: "-")
    }
}

/// `scheme://host:port/path?query` of a golden url (which may contain raw spaces, so not `URL`).
private struct SplitURL {
    var scheme: String
    var host: String
    var port: Int
    var path: String
    var query: String?

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        self.scheme = String(url[..<schemeEnd.lowerBound])
        let rest = url[schemeEnd.upperBound...]
        let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<pathStart]
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...])
        else { return nil }
        self.host = String(authority[..<colon])
        self.port = port
        let target = rest[pathStart...]
        if let question = target.firstIndex(of: "?") {
            self.path = String(target[..<question])
            self.query = String(target[target.index(after: question)...])
        } else {
            self.path = String(target)
            self.query = nil
        }
    }
}
