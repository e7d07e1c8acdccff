public import Logging
public import MockPolicy
public import NIOCore
public import NIOSSL

extension MockPDPServer {
    /// The certificate and key of a TLS listener, as PEM files.
    public struct TLSFiles: Sendable, Hashable {
        /// PEM file with the server certificate, followed by any intermediates.
        public var certificatePath: String
        /// PEM file with the certificate's private key.
        public var keyPath: String

        public init(certificatePath: String, keyPath: String) {
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }

    /// How to run a mock PDP. Exactly one source of answers: `rulesPath` or `rules` (rules mode),
    /// `forwardTo` (forward mode, recording when `recordTo` is set), or `replayFrom` (replay mode). In
    /// forward and replay modes, rules are optional and only contribute their `settings` (secrets, latency,
    /// error rate, decision log size).
    public struct Configuration: Sendable {
        /// Address to listen on. Default `127.0.0.1`: a mock is a development tool, not a public service.
        public var host: String
        /// Port to listen on; 0 picks a free one (read it back from `MockPDPServer.port`). Default 9100.
        public var port: Int
        /// Serve HTTPS with this certificate and key. Default nil (plain HTTP).
        public var tls: TLSFiles?
        /// Rules file (YAML), watched for changes (`reloadInterval`). Default nil.
        public var rulesPath: String?
        /// Rules given directly (the quick start's embedded mock); never reloaded. Default nil. Not together
        /// with `rulesPath`.
        public var rules: MockRules?
        /// How often the rules file's size, modification time and inode are checked. Default 1 s.
        public var reloadInterval: TimeAmount
        /// JSONL file each forwarded exchange is appended to (needs `forwardTo`). Default nil.
        public var recordTo: String?
        /// Base URL of a real PingAuthorize (`http(s)://host[:port][/prefix]`); every call is forwarded
        /// there. Default nil.
        public var forwardTo: String?
        /// TLS client settings for an https `forwardTo` (trust roots, verification). Default nil: the
        /// system trust store with full verification.
        public var forwardTLS: TLSConfiguration?
        /// Bounds connecting to `forwardTo` and each read and write of a forwarded call. Default 10 s.
        public var forwardTimeout: TimeAmount
        /// JSONL file written by record mode; calls are answered from it alone. Default nil.
        public var replayFrom: String?
        /// Calls with larger bodies get 413 and the connection is closed. Default 16 MiB.
        public var maxBodyBytes: Int
        /// Source of the random numbers in [0, 1) that `settings.error_rate` is compared with; tests
        /// inject a fixed one. Default `Double.random(in: 0..<1)`.
        public var random: @Sendable () -> Double
        /// Where decisions (info), reloads and problems go. Secrets are never logged.
        public var logger: Logger

        public init(
            host: String = "127.0.0.1",
            port: Int = 9100,
            tls: TLSFiles? = nil,
            rulesPath: String? = nil,
            rules: MockRules? = nil,
            reloadInterval: TimeAmount = .seconds(1),
            recordTo: String? = nil,
            forwardTo: String? = nil,
            forwardTLS: TLSConfiguration? = nil,
            forwardTimeout: TimeAmount = .seconds(10),
            replayFrom: String? = nil,
            maxBodyBytes: Int = 16 << 20,
            random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
            logger: Logger = Logger(label: "mock-pdp")
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.rulesPath = rulesPath
            self.rules = rules
            self.reloadInterval = reloadInterval
            self.recordTo = recordTo
            self.forwardTo = forwardTo
            self.forwardTLS = forwardTLS
            self.forwardTimeout = forwardTimeout
            self.replayFrom = replayFrom
            self.maxBodyBytes = maxBodyBytes
            self.random = random
            self.logger = logger
        }
    }
}
