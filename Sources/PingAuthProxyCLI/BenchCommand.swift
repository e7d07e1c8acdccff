import ArgumentParser
import Foundation
import LoadGenerator
import NIOCore
import NIOPosix
import SidebandClient
import SidebandProtocol

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load test a Sideband API or any HTTP URL; report latency percentiles honestly (HdrHistogram).",
        discussion: """
            Two models. With --rate N (open model, as wrk2): request i is due at start + i/N whatever the \
            answers' pace, over at most --connections connections; a request that finds no free connection \
            waits, and its latency counts from its due time, so a stall is charged to every request it \
            delayed (coordinated omission corrected). Without --rate (closed model, as wrk): --connections \
            connections each send back to back; latency counts from the actual send.

            Output: a summary on stdout, or one JSON object with --json (save it and overlay runs with \
            `bench plot`); --hgrm FILE writes HdrHistogram's percentile distribution; --plot FILE.html an \
            offline HTML page with the latency-by-percentile curve. A live progress line goes to stderr when \
            it is a terminal.

            Errors are counted, not fatal: timeout (an exchange longer than --timeout), connect (refused, \
            reset, TLS failure, connection lost with a request on it), status (non-2xx; for sideband also an \
            answer the gateway's parser rejects).

            Exit status: 0 when the run completed (even with errors counted); 1 when the target cannot be \
            reached before the run (its first request, sent before the run and not recorded, got no answer: \
            refused, reset, TLS failure or no answer within --timeout) or a file cannot be read or written; \
            64 for invalid options.
            """,
        subcommands: [BenchSidebandCommand.self, BenchHTTPCommand.self, BenchPlotCommand.self]
    )
}

// MARK: - Options every run takes

struct BenchRunOptions: ParsableArguments {
    @Option(help: "Open model: requests per second, sent on schedule. Without it: the closed model.")
    var rate: Double?

    @Option(help: "Open model: the most connections. Closed model: connections sending back to back.")
    var connections: Int = 64

    @Option(help: "The measured period: 10s, 500ms, 2m, or a number of seconds.")
    var duration: String = "10s"

    @Option(help: "Sent before the measured period and not recorded (same forms as --duration).")
    var warmup: String = "0s"

    @Option(help: "Longest exchange, from its send to the end of its answer; past it: a timeout error.")
    var timeout: String = "5s"

    @Option(help: "Event loop threads (default: the number of cores, at most --connections).")
    var threads: Int?

    @Option(help: "PEM file with the certificate authorities to trust for an https target.")
    var caBundle: String?

    @Flag(help: "Do not verify the https target's certificate.")
    var insecure = false

    @Flag(help: "Print one JSON object instead of the summary.")
    var json = false

    @Option(help: "Also write HdrHistogram's percentile distribution (.hgrm, milliseconds) to this file.")
    var hgrm: String?

    @Option(help: "Also write an HTML page with the latency-by-percentile curve to this file.")
    var plot: String?

    @Option(help: "Name of the run in the JSON output and plots.")
    var label: String?

    /// The plan, or a `ValidationError` naming the option at fault.
    func makePlan(target: String, url: String) throws -> LoadPlan {
        func duration(_ text: String, _ option: String) throws -> Duration {
            guard let value = DurationText.parse(text) else {
                throw ValidationError("\(option) \(text): expected a duration such as 10s, 500ms, 2m or 10")
            }
            return value
        }
        let plan = LoadPlan(
            target: target,
            url: url,
            model: self.rate.map { LoadPlan.Model.open(rate: $0) } ?? .closed,
            connections: self.connections,
            duration: try duration(self.duration, "--duration"),
            warmup: try duration(self.warmup, "--warmup"),
            timeout: try duration(self.timeout, "--timeout"),
            label: self.label
        )
        if let problem = plan.problems.first { throw ValidationError(problem) }
        if let threads = self.threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        return plan
    }

    func makeTarget(_ url: TargetURL) throws -> LoadTarget {
        do {
            return try LoadTarget(url: url, caBundlePath: self.caBundle, verifyCertificate: !self.insecure)
        } catch {
            Output.error("bench: \(error)")
            throw ExitCode(1)
        }
    }
}

// MARK: - sideband

struct BenchSidebandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sideband",
        abstract: "Load a Sideband API (PingAuthorize or mock-pdp) with the gateway's own payloads.",
        discussion: """
            Each request is POST {URL}/sideband/request describing the --template client request (default: a \
            synthetic GET https://bench.example/anything), written by the gateway's serializer. With \
            --response-phase an allow goes on with POST {URL}/sideband/response describing the template's \
            upstream response, carrying the answer's state (or the request payload when no state came \
            back), as the gateway does; the latency then covers both calls. Keep-alive connections, TLS \
            for https URLs.

            Exit status: 0 when the run completed (errors are counted, not fatal); 1 when the provider \
            cannot be reached before the run or a file cannot be read or written; 64 for invalid options.
            """
    )

    @Argument(help: "The Sideband API's base URL, as the plugin's service_url (e.g. https://paz:8443).")
    var url: String

    @Option(help: "JSON file describing the client request (see Config/bench/request-template.json).")
    var template: String?

    @Flag(help: "Call /sideband/response after each allow, as the gateway does.")
    var responsePhase = false

    @Option(help: "The shared secret to send.")
    var sharedSecret: String?

    @Option(help: "Read the shared secret from this environment variable.")
    var sharedSecretEnv: String?

    @Option(help: "The header that carries the shared secret.")
    var secretHeaderName: String = "CLIENT-TOKEN"

    @OptionGroup var options: BenchRunOptions

    func validate() throws {
        guard TargetURL(self.url) != nil else {
            throw ValidationError("\(self.url): expected http(s)://host[:port][/prefix]")
        }
        if self.sharedSecret != nil && self.sharedSecretEnv != nil {
            throw ValidationError("give --shared-secret or --shared-secret-env, not both")
        }
        if let secret = self.sharedSecret, !HTTPSyntax.isSafeFieldValue(secret) {
            throw ValidationError("--shared-secret: must not contain CR, LF or NUL")
        }
        guard HTTPRequestSource.parseHeader("\(self.secretHeaderName): x") != nil else {
            throw ValidationError("--secret-header-name \(self.secretHeaderName): not a header name")
        }
        _ = try self.options.makePlan(target: "sideband", url: self.url)
        guard SidebandEndpoint(serviceURL: self.url) != nil else {
            throw ValidationError("\(self.url): not a usable service_url (http[s]://host[:port][/prefix], as the plugin's)")
        }
    }

    func run() async throws {
        let base = TargetURL(self.url)!
        let plan = try self.options.makePlan(target: "sideband", url: self.url)
        var secret = self.sharedSecret
        if let name = self.sharedSecretEnv {
            guard let value = ProcessInfo.processInfo.environment[name] else {
                Output.error("bench: --shared-secret-env \(name): the environment variable is not set")
                throw ExitCode(1)
            }
            guard HTTPSyntax.isSafeFieldValue(value) else {
                Output.error("bench: --shared-secret-env \(name): the value must not contain CR, LF or NUL")
                throw ExitCode(64)
            }
            secret = value
        }
        var template = RequestTemplate.synthetic
        if let path = self.template {
            do {
                template = try RequestTemplate.load(path: path)
            } catch {
                Output.error("bench: --template \(error)")
                throw ExitCode(1)
            }
        }
        let source = SidebandRequestSource(
            endpoint: SidebandEndpoint(serviceURL: self.url)!,
            template: template,
            secretHeaderName: self.secretHeaderName,
            sharedSecret: secret,
            responsePhase: self.responsePhase
        )
        let target = try self.options.makeTarget(base)
        try await BenchExecution.run(plan: plan, target: target, source: source, options: self.options)
    }
}

// MARK: - http

struct BenchHTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Load any HTTP(S) URL (the gateway, Kong, nginx) with one request, repeated.",
        discussion: """
            2xx answers succeed; any other status is a status error. Keep-alive connections, TLS for https.

            Exit status: 0 when the run completed (errors are counted, not fatal); 1 when the URL cannot be \
            reached before the run or a file cannot be read or written; 64 for invalid options.
            """
    )

    @Argument(help: "The URL to request.")
    var url: String

    @Option(help: "The request method.")
    var method: String = "GET"

    @Option(name: .customLong("header"), help: "A request header 'Name: value'; repeatable.")
    var headers: [String] = []

    @Option(help: "Send this file as the body (Content-Length set from its size).")
    var bodyFile: String?

    @OptionGroup var options: BenchRunOptions

    func validate() throws {
        guard TargetURL(self.url) != nil else {
            throw ValidationError("\(self.url): expected http(s)://host[:port][/path]")
        }
        guard HTTPRequestSource.parseHeader("\(self.method): x") != nil else {
            throw ValidationError("--method \(self.method): not an HTTP method")
        }
        for header in self.headers where HTTPRequestSource.parseHeader(header) == nil {
            throw ValidationError("--header \(header): expected 'Name: value'")
        }
        _ = try self.options.makePlan(target: "http", url: self.url)
    }

    func run() async throws {
        let url = TargetURL(self.url)!
        let plan = try self.options.makePlan(target: "http", url: self.url)
        var body: ByteBuffer?
        if let path = self.bodyFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                Output.error("bench: --body-file \(path): cannot be read")
                throw ExitCode(1)
            }
            body = ByteBuffer(bytes: data)
        }
        let source = HTTPRequestSource(
            url: url,
            method: self.method,
            headers: self.headers.compactMap { HTTPRequestSource.parseHeader($0) },
            body: body
        )
        let target = try self.options.makeTarget(url)
        try await BenchExecution.run(plan: plan, target: target, source: source, options: self.options)
    }
}

// MARK: - plot

struct BenchPlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Overlay runs saved with --json in one HTML latency-by-percentile plot.",
        discussion: "Each run gets its own colour and legend entry, named by its --label or else its file name."
    )

    @Option(help: "The HTML file to write.")
    var output: String

    @Option(help: "The page's title.")
    var title: String = "Latency by percentile"

    @Argument(help: "Result files written by `bench ... --json`.")
    var results: [String]

    func validate() throws {
        if self.results.isEmpty { throw ValidationError("give at least one result file") }
    }

    func run() throws {
        var series: [PlotSeries] = []
        for path in self.results {
            guard let data = FileManager.default.contents(atPath: path) else {
                Output.error("bench plot: \(path): cannot be read")
                throw ExitCode(1)
            }
            let result: BenchResult
            do {
                result = try BenchResult.decode(data)
            } catch {
                Output.error("bench plot: \(path): not a bench --json result: \(error)")
                throw ExitCode(1)
            }
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            series.append(PlotSeries(result: result, fallbackLabel: name))
        }
        do {
            try PercentilePlot.write(title: self.title, series: series, to: self.output)
        } catch {
            Output.error("bench plot: \(self.output): cannot be written: \(error)")
            throw ExitCode(1)
        }
        Output.line("wrote \(self.output) (\(series.count) run\(series.count == 1 ? "" : "s"))")
    }
}

// MARK: - Running

enum BenchExecution {
    /// Runs the plan on an event loop group of its own, then prints and writes the reports.
    static func run<Source: RequestSource>(
        plan: LoadPlan,
        target: LoadTarget,
        source: Source,
        options: BenchRunOptions
    ) async throws {
        let threads = options.threads ?? min(System.coreCount, plan.connections)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let progress = ProgressDisplay.forStandardError()
        let runner = LoadRunner(plan: plan, target: target, source: source, group: group)
        var report: (@Sendable (ProgressSnapshot) -> Void)?
        if progress.isEnabled {
            report = { progress.show($0) }
        }
        let recorder: LatencyRecorder
        do {
            recorder = try await runner.run(progress: report)
        } catch {
            progress.finish()
            try? await group.shutdownGracefully()
            Output.error("bench: \(error)")
            throw ExitCode(1)
        }
        progress.finish()
        try? await group.shutdownGracefully()

        let distribution = recorder.distribution()
        let result = BenchResult(plan: plan, recorder: recorder, distribution: distribution)
        if let path = options.hgrm {
            do {
                try HgrmWriter.write(distribution, to: path)
            } catch {
                Output.error("bench: --hgrm \(path): cannot be written: \(error)")
                throw ExitCode(1)
            }
        }
        if let path = options.plot {
            do {
                let series = PlotSeries(result: result, fallbackLabel: "\(plan.target) \(plan.url)")
                try PercentilePlot.write(title: "bench \(plan.target) \(plan.url)", series: [series], to: path)
            } catch {
                Output.error("bench: --plot \(path): cannot be written: \(error)")
                throw ExitCode(1)
            }
        }
        if options.json {
            Output.line(try result.jsonText())
        } else {
            Output.line(result.summaryText)
        }
    }
}
