import Foundation
import NIOCore
import SidebandProtocol
import TestSupport
import Testing

/// The differential test against the original Lua plugin (`golden/lua`, recorded from ping-auth 1.2.0).
///
/// Each recorded client request is replayed through our gateway, with a policy provider that answers as
/// the recording's mock PDP did and an upstream that answers as the recording's upstream did. Our
/// `/sideband/request` and `/sideband/response` payloads, the client's response and what reached the
/// upstream must equal the recording, except for the differences SIDEBAND.md makes on purpose; each of
/// those is one small function below (`SidebandRequestNormaliser`, `SidebandResponseNormaliser`,
/// `ClientResponseNormaliser`) that cites its rule. A failure lists every remaining difference: case,
/// field, expected, actual.
///
/// Not replayed: see `GoldenCorpus.skippedCases` (47, h2c). Answered differently by design, checked as
/// such: see `DeliberateOutcome.table` (24, 39, 63). 65–69 share one circuit breaker and real time, so
/// they run in order in `circuitBreakerCasesRunInOrderOnOneGateway`.
@Suite(.serialized) struct GoldenConformanceTests {
    @Test func corpusHoldsEveryCaseAndEachIsReplayedOrSkippedForAReason() throws {
        let numbers = try GoldenCorpus.caseFiles().compactMap { Int($0.prefix(2)) }
        #expect(numbers == Array(1...69), "case files in \(GoldenCorpus.casesDirectory.path)")
        let accounted = Set(GoldenCorpus.replayedCaseNumbers)
            .union(GoldenCorpus.circuitBreakerCaseNumbers)
            .union(GoldenCorpus.skippedCases.keys)
        #expect(accounted == Set(numbers))
    }

    @Test(arguments: GoldenCorpus.replayedCaseNumbers)
    func caseBehavesAsRecordedExceptForNamedDifferences(number: Int) async throws {
        let golden = try GoldenCorpus.load(number: number)
        try await GoldenRig.with(golden) { rig in
            let replay = try await rig.replay(golden)
            let findings = GoldenComparison.compare(replay)
            #expect(findings.isEmpty, Comment(rawValue: findings.report))
        }
    }

    /// 65–69 in order on one gateway, sleeping past each window as the recording did. The plugin's breaker
    /// reported the *elapsed* seconds (66) and, after a 429 without `Retry-After` (68), failed every later
    /// request of its worker with 500 (69); ours answers the time left and recovers after one second.
    @Test func circuitBreakerCasesRunInOrderOnOneGateway() async throws {
        let goldens = try GoldenCorpus.circuitBreakerCaseNumbers.map { try GoldenCorpus.load(number: $0) }
        let clock = ContinuousClock()
        try await GoldenRig.with(goldens[0]) { rig in
            // 65: the provider's 429 with Retry-After: 2 opens this instance's circuit.
            let opening = try await rig.replay(goldens[0])
            let openedBy = clock.now
            var findings = Findings(goldens[0])
            GoldenComparison.compareSideband(opening, into: &findings)
            ClientResponseNormaliser.compare(opening, as: .rateLimited, into: &findings)
            findings.expectEqual(
                opening.response.header("retry-after"),
                goldens[0].client.header("retry-after"),
                "client.Retry-After"
            )
            #expect(findings.isEmpty, Comment(rawValue: findings.report))

            // 66: while open, answered without calling the provider.
            let whileOpen = try await rig.replay(goldens[1])
            findings = Findings(goldens[1])
            GoldenComparison.compareSideband(whileOpen, into: &findings)
            ClientResponseNormaliser.compare(whileOpen, as: .rateLimited, into: &findings)
            ClientResponseNormaliser.retryAfterIsTheTimeLeft(whileOpen, window: 2, into: &findings)
            findings.expectEqual(whileOpen.upstreamRequests.count, 0, "upstream requests")
            #expect(findings.isEmpty, Comment(rawValue: findings.report))

            // 67: after the window, the provider is asked again.
            try await Task.sleep(until: openedBy.advanced(by: .milliseconds(2_300)), clock: clock)
            let recovered = try await rig.replay(goldens[2])
            findings = GoldenComparison.compare(recovered)
            #expect(findings.isEmpty, Comment(rawValue: findings.report))

            // 68: a 429 without Retry-After.
            let unlimited = try await rig.replay(goldens[3])
            let limitedBy = clock.now
            findings = Findings(goldens[3])
            GoldenComparison.compareSideband(unlimited, into: &findings)
            ClientResponseNormaliser.compare(unlimited, as: .rateLimited, into: &findings)
            ClientResponseNormaliser.retryAfterDefaultsToOneSecond(unlimited, into: &findings)
            #expect(findings.isEmpty, Comment(rawValue: findings.report))

            // 69: once that second has passed, served normally — the fix of the poisoned worker.
            try await Task.sleep(until: limitedBy.advanced(by: .milliseconds(1_300)), clock: clock)
            let after = try await rig.replay(goldens[4])
            findings = Findings(goldens[4])
            ClientResponseNormaliser.theWorkerIsNotPoisoned(after, into: &findings)
            #expect(findings.isEmpty, Comment(rawValue: findings.report))
        }
    }

    /// Real PingAuthorize answers (`golden/paz`) decode, and the gateway applies them.
    @Test func capturedPingAuthorizeAnswersDecodeAndAreApplied() async throws {
        let captured = try GoldenCorpus.capturedAnswers()
        #expect(!captured.isEmpty)
        try await GoldenRig.with(try GoldenCorpus.load(number: 1)) { rig in
            for (index, example) in captured.enumerated() {
                let answer = RecordingPolicyProvider.Answer(
                    status: example.status,
                    headers: example.headers.filter { $0.0.lowercased() != "content-length" },
                    body: Data(example.body.utf8)
                )
                let phase = example.call
                rig.provider.setScript { call in call.path.hasSuffix(phase) ? answer : nil }
                rig.provider.clearCalls()
                rig.upstream.clearRequests()
                rig.upstream.setReply(.standard)
                let request = "GET /captured/\(index) HTTP/1.1\r\nHost: golden.example\r\n\r\n"
                if phase == "/sideband/request" {
                    let decision: RequestDecision
                    do {
                        decision = try SidebandAnswerParser.parseRequestAnswer(ByteBuffer(string: example.body))
                    } catch {
                        Issue.record("\(example.name): the request-phase answer does not decode: \(error)")
                        continue
                    }
                    let response = try await rig.gateway.request(request)
                    switch decision {
                    case .deny(let deny):
                        #expect(response.status == deny.status, "\(example.name)")
                        #expect(rig.upstream.requests.isEmpty, "\(example.name): a deny never reaches the upstream")
                    case .allow(let allowed):
                        #expect(response.status == 200, "\(example.name)")
                        let reached = rig.upstream.requests
                        #expect(reached.count == 1, "\(example.name): the upstream is reached")
                        if let upstream = reached.first {
                            Self.expectApplied(allowed, reached: upstream, name: example.name)
                        }
                    }
                } else {
                    let decision: ResponseDecision
                    do {
                        decision = try SidebandAnswerParser.parseResponseAnswer(ByteBuffer(string: example.body))
                    } catch {
                        Issue.record("\(example.name): the response-phase answer does not decode: \(error)")
                        continue
                    }
                    let response = try await rig.gateway.request(request)
                    #expect(response.status == decision.status, "\(example.name)")
                    #expect(response.bodyText == decision.body, "\(example.name)")
                    #expect(rig.upstream.requests.count == 1, "\(example.name)")
                }
                let asked = rig.provider.calls.contains(where: { $0.path.hasSuffix(phase) })
                #expect(asked, "\(example.name): the provider was asked")
            }
        }
    }

    /// SIDEBAND.md §3 "Allow": the answer's url path and headers are what the upstream gets.
    private static func expectApplied(_ allowed: AllowedRequest, reached: ScriptedUpstream.Request, name: String) {
        if let url = allowed.url, let parts = URLParts(url) {
            #expect(reached.uri == parts.path + (parts.query.map { "?\($0)" } ?? ""), "\(name): url applied")
        }
        for (header, value) in allowed.headers ?? [] where header.lowercased() != "host" {
            #expect(reached.headerValues(header).contains(value), "\(name): header \(header) applied")
        }
    }
}

// MARK: - Running a case

/// A gateway configured as the recording's plugin instance, with its policy provider and upstream.
struct GoldenRig {
    let gateway: GatewayHarness
    let provider: RecordingPolicyProvider
    let upstream: ScriptedUpstream

    /// Runs `body` with the instance of `golden`'s listener (README "Plugin config used"): 8000 the
    /// default one, 8001 a provider where nothing listens, 8002 `service_url` with the path `/base/`, a
    /// custom secret header and debug logging. One catch-all route, `strip_path: false`, global plugin.
    /// Everything is shut down afterwards, also on failure.
    static func with(_ golden: GoldenCase, _ body: (GoldenRig) async throws -> Void) async throws {
        let upstream = try await ScriptedUpstream.start()
        let provider: RecordingPolicyProvider
        let gateway: GatewayHarness
        do {
            provider = try await RecordingPolicyProvider.start()
        } catch {
            await upstream.close()
            throw error
        }
        do {
            let secret = golden.secretHeader
            let unreachable = unusedPort()
            let yaml = Self.configuration(
                listener: golden.port,
                secretHeaderName: secret.name,
                upstream: upstream.port,
                provider: provider.port,
                unreachable: unreachable
            )
            gateway = try await GatewayHarness.start(yaml, environment: ["GOLDEN_SHARED_SECRET": secret.value])
        } catch {
            await upstream.close()
            await provider.close()
            throw error
        }
        do {
            try await body(GoldenRig(gateway: gateway, provider: provider, upstream: upstream))
        } catch {
            await gateway.stop()
            await provider.close()
            await upstream.close()
            throw error
        }
        await gateway.stop()
        await provider.close()
        await upstream.close()
    }

    static func configuration(
        listener: Int,
        secretHeaderName: String,
        upstream: Int,
        provider: Int,
        unreachable: Int
    ) -> String {
        var serviceURL = "http://127.0.0.1:\(provider)"
        var extra = ""
        switch listener {
        case 8001:
            serviceURL = "http://127.0.0.1:\(unreachable)"
        case 8002:
            serviceURL = "http://127.0.0.1:\(provider)/base/"
            extra = "\n      enable_debug_logging: true"
        default:
            break
        }
        return """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services:
              - name: golden
                url: http://127.0.0.1:\(upstream)
                routes:
                  - {name: everything, paths: ["/"], strip_path: false}
            plugins:
              - name: ping-auth
                config:
                  service_url: \(serviceURL)
                  shared_secret: "{vault://env/GOLDEN_SHARED_SECRET}"
                  secret_header_name: \(secretHeaderName)\(extra)
            """
    }

    /// Scripts the provider and the upstream for `golden`, sends its request as curl did, and collects
    /// what everyone saw. The provider answers before the gateway answers the client, so `calls` is
    /// complete when the response has arrived.
    func replay(_ golden: GoldenCase) async throws -> Replay {
        self.provider.clearCalls()
        self.upstream.clearRequests()
        self.provider.setScript(GoldenPolicyScript.script(for: golden))
        self.upstream.setReply(golden.upstreamReply)
        let request = golden.rebuiltRequest()
        let connection = try await RawHTTPConnection.connect(port: self.gateway.port)
        let interim: HTTPTestResponse?
        let response: HTTPTestResponse
        do {
            if request.waitsForContinue {
                try await connection.send(request.head)
                interim = try await connection.readResponse(timeout: .seconds(5))
                try await connection.send(request.wireBody)
            } else {
                interim = nil
                try await connection.send(request.head + request.wireBody)
            }
            response = try await connection.readResponse(headRequest: request.isHead)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        return Replay(
            golden: golden,
            request: request,
            interim: interim,
            response: response,
            calls: self.provider.calls,
            upstreamRequests: self.upstream.requests,
            listenerPort: self.gateway.port
        )
    }
}

/// Everything one replayed case produced.
struct Replay {
    var golden: GoldenCase
    var request: GoldenRequest
    /// The interim response to `Expect: 100-continue`.
    var interim: HTTPTestResponse?
    var response: HTTPTestResponse
    var calls: [RecordingPolicyProvider.Call]
    var upstreamRequests: [ScriptedUpstream.Request]
    var listenerPort: Int

    /// The `url` our rules give for this request (SIDEBAND.md §2).
    var expectedURL: String { self.golden.expectedURL(for: self.request, listenerPort: self.listenerPort) }
}

extension GoldenCase {
    /// The secret header the recording's plugin sent (name and value as configured), from its first
    /// sideband call: `CLIENT-TOKEN: s3cr3t-value` on 8000, `x-pa-secret: other-secret` on 8002.
    var secretHeader: (name: String, value: String) {
        let transport: Set<String> = ["host", "connection", "user-agent", "content-type", "content-length"]
        return self.sideband.first?.headers.first { !transport.contains($0.name.lowercased()) }
            ?? (name: "CLIENT-TOKEN", value: "s3cr3t-value")
    }
}

/// The policy provider's answers for one case, as the recording's mock PDP gave them.
enum GoldenPolicyScript {
    /// Answers `/sideband/request` and `/sideband/response` with the case's recorded answers; calls the
    /// recording does not have (case 69, whose plugin crashed before calling) get the default echo.
    static func script(for golden: GoldenCase) -> RecordingPolicyProvider.Script {
        let requestRecord = golden.requestRecord
        let responseRecord = golden.responseRecord
        let retryAfter = golden.client.header("retry-after")
        return { call in
            if call.path.hasSuffix("/sideband/request"), let record = requestRecord {
                return GoldenPolicyScript.requestAnswer(record, to: call, retryAfter: retryAfter)
            }
            if call.path.hasSuffix("/sideband/response"), let record = responseRecord {
                return GoldenPolicyScript.verbatim(record, retryAfter: nil)
            }
            return nil
        }
    }

    /// The recorded answer as the mock sent it: status and JSON (re-serialised; key order is irrelevant),
    /// a string answer (case 62, "this is not json") as its raw text. The recording does not keep the
    /// mock's headers; its `Retry-After` is known from the client's, which the plugin relayed (case 65).
    static func verbatim(_ record: GoldenCase.SidebandRecord, retryAfter: String?) -> RecordingPolicyProvider.Answer {
        let text: String
        switch record.answer {
        case .string(let raw)?: text = raw
        case let answer?: text = answer.text
        case nil: text = ""
        }
        var headers: [(String, String)] = []
        if record.answerStatus == 429, let retryAfter { headers.append(("Retry-After", retryAfter)) }
        return .raw(text, status: record.answerStatus, headers: headers)
    }

    /// An allow is translated (see `echo`); anything else (deny, errors, 429, not JSON) is verbatim.
    static func requestAnswer(
        _ record: GoldenCase.SidebandRecord,
        to call: RecordingPolicyProvider.Call,
        retryAfter: String?
    ) -> RecordingPolicyProvider.Answer {
        guard record.answerStatus == 200, let answer = record.answer?.object, answer["response"] == nil,
            let recordedRequest = record.parsed?.object, let ours = (try? JSON.decode(call.body))?.object
        else { return Self.verbatim(record, retryAfter: retryAfter) }
        return .raw(JSON.object(Self.echo(recordedRequest: recordedRequest, recordedAnswer: answer, ours: ours)).text)
    }

    /// The mock PDP echoed the request it got and changed only what its script said (README "the mock
    /// PDP ... echoes"). Replayed verbatim, its answer would "change" every field in which our payload
    /// differs on purpose (url port and spelling, `source_port`'s type, `http_version`, the body it never
    /// saw in case 35), and the gateway would apply those changes. So a field the mock echoed unchanged is
    /// echoed from our payload; a field it changed (case 51) keeps the mock's value, with the recorded
    /// listener's `scheme://host:port` replaced by ours in a changed `url`; `state` is the mock's.
    static func echo(
        recordedRequest: [String: JSON],
        recordedAnswer: [String: JSON],
        ours: [String: JSON]
    ) -> [String: JSON] {
        var answer: [String: JSON] = [:]
        for key in Set(recordedRequest.keys).union(recordedAnswer.keys).union(ours.keys) {
            if key == "state" {
                answer[key] = recordedAnswer[key]
            } else if recordedAnswer[key] == recordedRequest[key] {
                answer[key] = ours[key]
            } else if key == "url", let url = recordedAnswer[key]?.string,
                let recordedOrigin = recordedRequest["url"]?.string.flatMap(Self.origin),
                let ourOrigin = ours["url"]?.string.flatMap(Self.origin), url.hasPrefix(recordedOrigin)
            {
                answer[key] = .string(ourOrigin + url.dropFirst(recordedOrigin.count))
            } else {
                answer[key] = recordedAnswer[key]
            }
        }
        return answer
    }

    /// `scheme://host:port` of a url.
    static func origin(_ url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let end = url[scheme.upperBound...].firstIndex { $0 == "/" || $0 == "?" } ?? url.endIndex
        return String(url[..<end])
    }
}

// MARK: - Comparing

/// The differences found in one case, reported together.
struct Findings {
    let caseName: String
    private(set) var differences: [String] = []

    init(_ golden: GoldenCase) { self.caseName = golden.name }

    var isEmpty: Bool { self.differences.isEmpty }

    var report: String {
        "\(self.caseName): \(self.differences.count) difference(s) from the recording:\n"
            + self.differences.map { "  - " + $0 }.joined(separator: "\n")
    }

    mutating func add(_ field: String, expected: String, actual: String) {
        self.differences.append("\(field): expected \(JSON.shortened(expected)), got \(JSON.shortened(actual))")
    }

    mutating func expectEqual<Value: Equatable>(_ actual: Value, _ expected: Value, _ field: String) {
        if actual != expected {
            self.add(field, expected: String(describing: expected), actual: String(describing: actual))
        }
    }
}

enum GoldenComparison {
    /// Sideband payloads, client response and upstream, for a case answered as recorded (or as
    /// `DeliberateOutcome` says).
    static func compare(_ replay: Replay) -> Findings {
        var findings = Findings(replay.golden)
        if let deliberate = DeliberateOutcome.table[replay.golden.number] {
            deliberate.check(replay, into: &findings)
            return findings
        }
        if replay.request.waitsForContinue {
            findings.expectEqual(replay.interim?.status, 100, "interim response to Expect: 100-continue")
        }
        self.compareSideband(replay, into: &findings)
        ClientResponseNormaliser.compare(
            replay,
            as: ClientResponseNormaliser.outcome(of: replay.golden),
            into: &findings
        )
        self.compareUpstream(replay, into: &findings)
        return findings
    }

    /// The calls in order (same paths: `service_url`'s path is kept, case 64), the secret header as
    /// configured, and each payload under its side's normaliser. The user agent (`Kong/1.2.0`) and the
    /// provider's host:port are not compared.
    static func compareSideband(_ replay: Replay, into findings: inout Findings) {
        let recorded = replay.golden.sideband
        findings.expectEqual(replay.calls.map(\.path), recorded.map(\.path), "sideband calls")
        let secret = replay.golden.secretHeader
        for (record, call) in zip(recorded, replay.calls) {
            let field = "sideband_\(record.kind)"
            findings.expectEqual(call.header(secret.name), Optional(secret.value), "\(field) header \(secret.name)")
            findings.expectEqual(call.header("content-type"), Optional("application/json"), "\(field) content-type")
            guard let expected = record.parsed?.object else {
                findings.add(field, expected: "a recorded JSON payload", actual: "none in the recording")
                continue
            }
            guard let actual = (try? JSON.decode(call.body))?.object else {
                findings.add(field, expected: "a JSON object", actual: String(decoding: call.body, as: UTF8.self))
                continue
            }
            if record.kind == "request" {
                SidebandRequestNormaliser.compare(
                    expected: expected,
                    actual: actual,
                    replay: replay,
                    at: field,
                    into: &findings
                )
            } else {
                SidebandResponseNormaliser.compare(
                    expected: expected,
                    actual: actual,
                    replay: replay,
                    at: field,
                    into: &findings
                )
            }
        }
    }

    /// What reached the upstream: as many requests as recorded, with the same method, target and body.
    /// Kong's proxy headers (`Via`, `X-Forwarded-*`, the service's `Host`) are the harness's emulation and
    /// not compared. An empty query may keep or lose its lone `?` (case 10: the plugin passed `/q?`; the
    /// resource is the same).
    static func compareUpstream(_ replay: Replay, into findings: inout Findings) {
        findings.expectEqual(replay.upstreamRequests.count, replay.golden.upstream.count, "upstream requests")
        func withoutLoneQuestionMark(_ target: String) -> String {
            target.hasSuffix("?") ? String(target.dropLast()) : target
        }
        for (recorded, ours) in zip(replay.golden.upstream, replay.upstreamRequests) {
            findings.expectEqual(ours.method, recorded["method"]?.string ?? "", "upstream.method")
            findings.expectEqual(
                withoutLoneQuestionMark(ours.uri),
                withoutLoneQuestionMark(recorded["target"]?.string ?? ""),
                "upstream.target"
            )
            let body = String(decoding: ours.body, as: UTF8.self)
            findings.expectEqual(body, recorded["body"]?.string ?? "", "upstream.body")
        }
    }

    /// Deep equality with a path to each differing value.
    static func compare(_ expected: JSON?, _ actual: JSON?, at field: String, into findings: inout Findings) {
        switch (expected, actual) {
        case (.object(let expected)?, .object(let actual)?):
            for key in Set(expected.keys).union(actual.keys).sorted() {
                self.compare(expected[key], actual[key], at: "\(field).\(key)", into: &findings)
            }
        case (.array(let expected)?, .array(let actual)?) where expected.count == actual.count:
            for index in expected.indices {
                self.compare(expected[index], actual[index], at: "\(field)[\(index)]", into: &findings)
            }
        default:
            if expected != actual {
                findings.add(field, expected: expected?.text ?? "(absent)", actual: actual?.text ?? "(absent)")
            }
        }
    }

    /// Compares two header lists as multisets of `name: value`, reporting what is missing and extra.
    static func compareMultisets(
        _ expected: [String],
        _ actual: [String],
        at field: String,
        into findings: inout Findings
    ) {
        let missing = Self.subtracting(actual, from: expected)
        let extra = Self.subtracting(expected, from: actual)
        if !missing.isEmpty || !extra.isEmpty {
            findings.add(field, expected: "\(missing) too (missing from ours)", actual: "\(extra) too (not recorded)")
        }
    }

    private static func subtracting(_ removed: [String], from list: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for item in removed { counts[item, default: 0] += 1 }
        var rest: [String] = []
        for item in list {
            if let count = counts[item], count > 0 { counts[item] = count - 1 } else { rest.append(item) }
        }
        return rest
    }
}

/// Cases where we answer differently from the plugin on purpose, and what we answer instead. The gateway
/// answers them by itself: no sideband call, nothing upstream.
struct DeliberateOutcome {
    var status: Int
    var reason: String

    static let table: [Int: DeliberateOutcome] = [
        24: DeliberateOutcome(
            status: 431,
            reason: "SIDEBAND.md §2 headers: 108 header lines exceed max_headers (100) → 431 before any sideband "
                + "call; the plugin described the first 100 and let the rest reach the upstream unseen"
        ),
        39: DeliberateOutcome(
            status: 415,
            reason: "SIDEBAND.md §2 body: a body that is not UTF-8 → 415 without calling the provider; the plugin "
                + "sent invalid JSON and answered 502"
        ),
        63: DeliberateOutcome(
            status: 502,
            reason: "SIDEBAND.md §6: an unreachable provider → 502 with an empty body; the plugin crashed into 500"
        ),
    ]

    func check(_ replay: Replay, into findings: inout Findings) {
        findings.expectEqual(replay.response.status, self.status, "client.status (\(self.reason))")
        findings.expectEqual(replay.calls.map(\.path), [], "sideband calls")
        findings.expectEqual(replay.upstreamRequests.count, 0, "upstream requests")
        if self.status == 502 { findings.expectEqual(replay.response.bodyText, "", "client.body") }
    }
}

// MARK: - URLs

/// A sideband `url` split so that meaning, not spelling, can be compared.
struct URLParts {
    var scheme: String
    var host: String
    var port: String
    var path: String
    var query: String?

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let colon = authority.lastIndex(of: ":")
        let pathAndQuery = rest[authorityEnd...]
        let question = pathAndQuery.firstIndex(of: "?")
        self.scheme = String(url[..<schemeEnd.lowerBound])
        self.host = String(colon.map { authority[..<$0] } ?? authority)
        self.port = colon.map { String(authority[authority.index(after: $0)...]) } ?? ""
        self.path = String(question.map { pathAndQuery[..<$0] } ?? pathAndQuery)
        self.query = question.map { String(pathAndQuery[pathAndQuery.index(after: $0)...]) }
    }

    /// The path with every escape decoded: ours `/a/c/~user/%2F/xA/caf%C3%A9/sp%20ace` and the plugin's
    /// `/a/c/~user/%2F/xA/café/sp ace` are the same path.
    var decodedPath: String { Self.decoded(self.path[...], plusIsSpace: false) }

    /// The query as a policy reads it: escapes and `+` decoded, empty pairs and empty names dropped, a
    /// name without `=` kept bare, in order (`a=1&&=x&flag` → `a=1`, `flag`).
    var arguments: [String] {
        (self.query ?? "").split(separator: "&").compactMap { (pair) -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decoded(parts[0], plusIsSpace: true)
            guard !name.isEmpty else { return nil }
            return parts.count == 2 ? name + "=" + Self.decoded(parts[1], plusIsSpace: true) : name
        }
    }

    static func decoded(_ text: Substring, plusIsSpace: Bool) -> String {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = Self.hexValue(bytes[index + 1]), let low = Self.hexValue(bytes[index + 2])
            {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(plusIsSpace && bytes[index] == UInt8(ascii: "+") ? UInt8(ascii: " ") : bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

// MARK: - Named differences: /sideband/request

/// The differences SIDEBAND.md §2 makes on purpose in the `/sideband/request` payload. Each function
/// rewrites the recorded payload (`expected`) into what our rules require, or checks a value's form and
/// removes it from both sides; whatever remains must be equal.
enum SidebandRequestNormaliser {
    static func compare(
        expected recorded: [String: JSON],
        actual ours: [String: JSON],
        replay: Replay,
        at field: String,
        into findings: inout Findings
    ) {
        var expected = recorded
        var actual = ours
        self.sourcePortIsANumber(&expected, &actual, at: field, into: &findings)
        self.urlFollowsOurRules(&expected, replay: replay, at: field, into: &findings)
        self.httpVersionIsSpelledOut(&expected)
        self.headersAreDescribedInArrivalOrder(&expected, &actual, replay: replay, at: field, into: &findings)
        self.bodyIsNeverOmitted(&expected, replay: replay)
        GoldenComparison.compare(.object(expected), .object(actual), at: field, into: &findings)
    }

    /// `source_port` (SIDEBAND.md §2): ours is a JSON number, as Ping's message types and PingAuthorize's
    /// answers have it; the plugin sent a string. The port differs on every run: only the forms are checked.
    static func sourcePortIsANumber(
        _ expected: inout [String: JSON],
        _ actual: inout [String: JSON],
        at field: String,
        into findings: inout Findings
    ) {
        if expected["source_port"]?.string.map({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil }) != true {
            findings.add(
                "\(field).source_port (recorded)",
                expected: "a string of digits",
                actual: expected["source_port"]?.text ?? "(absent)"
            )
        }
        if actual["source_port"]?.int.map({ (1...65535).contains($0) }) != true {
            findings.add(
                "\(field).source_port",
                expected: "a port as a JSON number",
                actual: actual["source_port"]?.text ?? "(absent)"
            )
        }
        expected["source_port"] = nil
        actual["source_port"] = nil
    }

    /// `url` (SIDEBAND.md §2): ours is `http://host:<listener port>` + the path normalised once (unreserved
    /// escapes decoded, others kept) + the query verbatim; the plugin decoded the path to raw UTF-8 and
    /// spaces, decoded, re-encoded and reordered the query and kept only its first 100 arguments (cases 04–13,
    /// 12). The recorded url must name the same resource as ours — same scheme and host, the recording's
    /// listener port, the same path once decoded, the same arguments — and is then replaced by ours.
    static func urlFollowsOurRules(
        _ expected: inout [String: JSON],
        replay: Replay,
        at field: String,
        into findings: inout Findings
    ) {
        guard let recorded = expected["url"]?.string else { return }
        let ours = replay.expectedURL
        guard let plugin = URLParts(recorded), let rule = URLParts(ours) else {
            findings.add("\(field).url (recorded)", expected: "a url", actual: recorded)
            return
        }
        let sameResource =
            plugin.scheme == rule.scheme
            && self.bareRequestHostIsTheListenersAddress(plugin.host, replay: replay) == rule.host
            && plugin.port == String(replay.golden.port)
            && plugin.decodedPath == rule.decodedPath
            && plugin.arguments.sorted() == self.firstHundredArguments(rule.arguments).sorted()
        if !sameResource {
            findings.add(
                "\(field).url (the recorded url means another resource than ours)",
                expected: recorded,
                actual: ours
            )
        }
        expected["url"] = .string(ours)
    }

    /// A bare HTTP/1.0 request without `Host` (case 46): we use the listener's address (SIDEBAND.md §2),
    /// the plugin nginx's `server_name`, `kong`.
    static func bareRequestHostIsTheListenersAddress(_ recordedHost: String, replay: Replay) -> String {
        replay.request.hostHeader == nil && !replay.request.target.contains("://") && recordedHost == "kong"
            ? "127.0.0.1" : recordedHost
    }

    /// The plugin saw only the first 100 query arguments (case 12, 105 sent); we send all, verbatim.
    static func firstHundredArguments(_ arguments: [String]) -> [String] {
        Array(arguments.prefix(100))
    }

    /// `http_version` (SIDEBAND.md §2): `"1.0"` for HTTP/1.0; the plugin wrote `tostring(1.0)`, `"1"`
    /// (cases 45, 46).
    static func httpVersionIsSpelledOut(_ payload: inout [String: JSON]) {
        if payload["http_version"] == .string("1") { payload["http_version"] = .string("1.0") }
    }

    /// `headers` (SIDEBAND.md §2): one entry per header line, names lower-cased, values verbatim, in
    /// arrival order, `[]` when there are none. The plugin's were in Lua hash order and `{}` when none
    /// (case 46); both drop names containing `_` (case 19). So the lists are compared as multisets, and
    /// ours must also be exactly the lines we sent, in order.
    static func headersAreDescribedInArrivalOrder(
        _ expected: inout [String: JSON],
        _ actual: inout [String: JSON],
        replay: Replay,
        at field: String,
        into findings: inout Findings
    ) {
        guard case .array? = actual["headers"] else {
            findings.add("\(field).headers", expected: "an array", actual: actual["headers"]?.text ?? "(absent)")
            return
        }
        let recorded = (expected["headers"] ?? .array([])).headerEntries.map { "\($0.name): \($0.value)" }
        let ours = (actual["headers"] ?? .array([])).headerEntries.map { "\($0.name): \($0.value)" }
        GoldenComparison.compareMultisets(recorded, ours, at: "\(field).headers", into: &findings)
        let sent = replay.request.headers.filter { !$0.name.contains("_") }.map {
            "\($0.name.lowercased()): \($0.value)"
        }
        if ours != sent {
            findings.add("\(field).headers (arrival order)", expected: "\(sent)", actual: "\(ours)")
        }
        expected["headers"] = nil
        actual["headers"] = nil
    }

    /// `body` (SIDEBAND.md §2): always the whole body; the plugin left the key out when nginx had buffered
    /// the body to a file (case 35, 20000 bytes), so the expected value is the body we sent.
    static func bodyIsNeverOmitted(_ expected: inout [String: JSON], replay: Replay) {
        if expected["body"] == nil, let body = replay.request.body {
            expected["body"] = .string(String(decoding: body, as: UTF8.self))
        }
    }
}

// MARK: - Named differences: /sideband/response

/// The differences SIDEBAND.md §4 makes on purpose in the `/sideband/response` payload.
enum SidebandResponseNormaliser {
    static func compare(
        expected recorded: [String: JSON],
        actual ours: [String: JSON],
        replay: Replay,
        at field: String,
        into findings: inout Findings
    ) {
        var expected = recorded
        var actual = ours
        self.methodAndURLAreTheClients(&expected, replay: replay)
        SidebandRequestNormaliser.urlFollowsOurRules(&expected, replay: replay, at: field, into: &findings)
        SidebandRequestNormaliser.httpVersionIsSpelledOut(&expected)
        self.reasonPhraseIsAlwaysGiven(&expected)
        self.headersAreTheUpstreamsAsTheClientGetsThem(&expected, &actual, at: field, into: &findings)
        self.requestIsOurRequestPayload(&expected, &actual, replay: replay, at: field, into: &findings)
        // `state` needs no rule: ours echoes the answer's bytes, the plugin re-encoded them; parsed, equal.
        GoldenComparison.compare(.object(expected), .object(actual), at: field, into: &findings)
    }

    /// `method`, `url` (SIDEBAND.md §4): the client's original ones, as sent in the request phase. The
    /// plugin sent the current method and query, i.e. the policy's rewrite (case 51: `PUT` and the new
    /// query on the old path).
    static func methodAndURLAreTheClients(_ expected: inout [String: JSON], replay: Replay) {
        guard let request = replay.golden.requestRecord?.parsed else { return }
        expected["method"] = request["method"]
        expected["url"] = request["url"]
    }

    /// The phrases the plugin did not know (it sent `""`): cases 54 (418) and 55 (201).
    static let phrasesThePluginLacked = [201: "CREATED", 418: "I'M A TEAPOT"]

    /// `response_status` (SIDEBAND.md §4): the code's standard reason phrase, upper-cased; the plugin knew
    /// 8 codes and sent `""` for the others.
    static func reasonPhraseIsAlwaysGiven(_ expected: inout [String: JSON]) {
        guard expected["response_status"] == .string(""),
            let code = expected["response_code"]?.string.flatMap({ Int($0) }),
            let phrase = self.phrasesThePluginLacked[code]
        else { return }
        expected["response_status"] = .string(phrase)
    }

    /// `headers` (SIDEBAND.md §4): the upstream's, lower-cased, as the client would get them. The plugin's
    /// list also had the `connection` header lua-nginx-module synthesises (hop-by-hop: the connection's,
    /// not the upstream's) and a synthesised `content-length`; ours has the upstream's `Content-Length`
    /// when it sent one, which must then be the same. Compared as multisets (Lua hash order).
    static func headersAreTheUpstreamsAsTheClientGetsThem(
        _ expected: inout [String: JSON],
        _ actual: inout [String: JSON],
        at field: String,
        into findings: inout Findings
    ) {
        guard case .array? = actual["headers"] else {
            findings.add("\(field).headers", expected: "an array", actual: actual["headers"]?.text ?? "(absent)")
            return
        }
        let ours = (actual["headers"] ?? .array([])).headerEntries
        let oursHaveLength = ours.contains { $0.name == "content-length" }
        let recorded = (expected["headers"] ?? .array([])).headerEntries.filter { header in
            header.name != "connection" && (oursHaveLength || header.name != "content-length")
        }
        GoldenComparison.compareMultisets(
            recorded.map { "\($0.name): \($0.value)" },
            ours.map { "\($0.name): \($0.value)" },
            at: "\(field).headers",
            into: &findings
        )
        expected["headers"] = nil
        actual["headers"] = nil
    }

    /// `request` (SIDEBAND.md §4, when the request phase returned no `state`: case 52): the request
    /// payload, ours compared with the plugin's under the request phase's rules.
    static func requestIsOurRequestPayload(
        _ expected: inout [String: JSON],
        _ actual: inout [String: JSON],
        replay: Replay,
        at field: String,
        into findings: inout Findings
    ) {
        guard let recorded = expected["request"]?.object, let ours = actual["request"]?.object else { return }
        SidebandRequestNormaliser.compare(
            expected: recorded,
            actual: ours,
            replay: replay,
            at: "\(field).request",
            into: &findings
        )
        expected["request"] = nil
        actual["request"] = nil
    }
}

// MARK: - Named differences: the client's response

/// The differences SIDEBAND.md §3, §5 and §6 make on purpose in what the client gets.
enum ClientResponseNormaliser {
    /// How the recorded case ended for the client.
    enum Outcome {
        /// Allowed, upstream called, response phase answered: status and body are the answer's.
        case allowed
        /// The provider's deny: its status, headers and body.
        case denied
        /// A provider status in `passthrough_status_codes` (413): relayed with its body.
        case passedThrough
        /// The provider answered 429.
        case rateLimited
        /// The provider failed (4xx, 5xx, not JSON): 502.
        case failedClosed
    }

    static func outcome(of golden: GoldenCase) -> Outcome {
        guard let record = golden.requestRecord else { return .allowed }
        switch record.answerStatus {
        case 200..<300:
            guard let answer = record.answer?.object else { return .failedClosed }
            return answer["response"] == nil ? .allowed : .denied
        case 413: return .passedThrough
        case 429: return .rateLimited
        default: return .failedClosed
        }
    }

    static func compare(_ replay: Replay, as outcome: Outcome, into findings: inout Findings) {
        let recorded = replay.golden.client
        let ours = replay.response
        findings.expectEqual(ours.status, recorded.status, "client.status")
        self.framingIsOurs(replay, into: &findings)
        switch outcome {
        case .allowed:
            findings.expectEqual(ours.bodyText, recorded.body, "client.body")
        case .denied:
            self.compareHeaders(replay, into: &findings)
            findings.expectEqual(ours.bodyText, recorded.body, "client.body")
        case .passedThrough:
            self.compareHeaders(replay, into: &findings)
            self.passedThroughBodyIsTheProvidersJSON(replay, into: &findings)
        case .rateLimited:
            self.compareHeaders(replay, into: &findings)
            self.limitExceededMessageNamesOurWait(replay, into: &findings)
        case .failedClosed:
            self.failuresHaveAnEmptyBody(replay, into: &findings)
        }
    }

    /// Kong's and nginx's own headers (`Server`, `Date`, `Via`, `X-Kong-*`: README "Where the harness
    /// approximates Kong" 4) and our sideband latency headers (`X-Ping-Auth-*-Latency`) are not compared; `Connection` is each side's own hop-by-hop header;
    /// `Content-Length` is checked against the body it frames (`framingIsOurs`); `Retry-After` has its own
    /// rules. Names are compared case-insensitively: ours keep the provider's spelling, the plugin
    /// lower-cased them (`WWW-Authenticate`, case 49).
    static func comparableHeaders(_ headers: [(name: String, value: String)]) -> [String] {
        let ignored: Set<String> = ["server", "date", "via", "connection", "content-length", "retry-after"]
        return headers.compactMap { (header) -> String? in
            let name = header.name.lowercased()
            let latency = name.hasPrefix("x-ping-auth-") && name.hasSuffix("-latency")
            return ignored.contains(name) || name.hasPrefix("x-kong-") || latency ? nil : "\(name): \(header.value)"
        }
    }

    static func compareHeaders(_ replay: Replay, into findings: inout Findings) {
        GoldenComparison.compareMultisets(
            self.comparableHeaders(replay.golden.client.headers),
            self.comparableHeaders(replay.response.headers),
            at: "client.headers",
            into: &findings
        )
    }

    /// Framing is ours: `Content-Length` is the length of the body we sent (not of a `HEAD`'s).
    static func framingIsOurs(_ replay: Replay, into findings: inout Findings) {
        guard !replay.request.isHead, let length = replay.response.header("content-length") else { return }
        findings.expectEqual(length, String(replay.response.body.count), "client Content-Length")
    }

    /// Provider failures (SIDEBAND.md §6) answer 502 with an empty body; the plugin went through Kong's
    /// error page (`{"message":"An invalid response was received from the upstream server",...}`).
    static func failuresHaveAnEmptyBody(_ replay: Replay, into findings: inout Findings) {
        findings.expectEqual(replay.response.bodyText, "", "client.body")
    }

    /// A passthrough status (SIDEBAND.md §6) relays the provider's body; the plugin decoded and re-encoded
    /// it, changing the key order (case 61), so both are compared parsed.
    static func passedThroughBodyIsTheProvidersJSON(_ replay: Replay, into findings: inout Findings) {
        let recorded = try? JSON.decode(Data(replay.golden.client.body.utf8))
        let ours = try? JSON.decode(Data(replay.response.body))
        GoldenComparison.compare(recorded, ours, at: "client.body", into: &findings)
    }

    /// The 429 body (SIDEBAND.md §6): `code` as the plugin's; the `message` names our `Retry-After`
    /// seconds, where the plugin always said "1 second" whatever the wait.
    static func limitExceededMessageNamesOurWait(_ replay: Replay, into findings: inout Findings) {
        let recorded = try? JSON.decode(Data(replay.golden.client.body.utf8))
        let ours = try? JSON.decode(Data(replay.response.body))
        findings.expectEqual(ours?["code"], recorded?["code"], "client.body.code")
        let seconds = replay.response.header("retry-after") ?? "?"
        let message =
            "The request exceeded the allowed rate limit. Please try after \(seconds) "
            + (seconds == "1" ? "second." : "seconds.")
        findings.expectEqual(ours?["message"], JSON.string(message), "client.body.message")
    }

    /// `Retry-After` while the circuit is open (SIDEBAND.md §6): the seconds left, rounded up (1 or 2 right
    /// after a 2-second window opened); the plugin sent the seconds *elapsed* since the 429 (case 66: `0`).
    static func retryAfterIsTheTimeLeft(_ replay: Replay, window: Int, into findings: inout Findings) {
        let value = replay.response.header("retry-after")
        if !(1...window).map({ String($0) }).contains(value ?? "") {
            findings.add("client.Retry-After", expected: "the seconds left, 1...\(window)", actual: value ?? "(absent)")
        }
    }

    /// A 429 without `Retry-After` opens the circuit for 1 second and says so (SIDEBAND.md §6); the plugin
    /// sent no `Retry-After` (case 68) and then broke for good.
    static func retryAfterDefaultsToOneSecond(_ replay: Replay, into findings: inout Findings) {
        findings.expectEqual(replay.response.header("retry-after"), Optional("1"), "client.Retry-After")
    }

    /// Case 69: after 68's window, a request is served normally — both phases asked, the upstream reached
    /// — where the plugin's worker answered 500 until restarted.
    static func theWorkerIsNotPoisoned(_ replay: Replay, into findings: inout Findings) {
        findings.expectEqual(replay.response.status, 200, "client.status (the plugin's poisoned worker answered 500)")
        findings.expectEqual(replay.calls.map(\.path), ["/sideband/request", "/sideband/response"], "sideband calls")
        findings.expectEqual(replay.upstreamRequests.count, 1, "upstream requests")
    }
}
