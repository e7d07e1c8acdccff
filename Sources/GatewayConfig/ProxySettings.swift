/// What Kong keeps in `kong.conf` and this gateway reads from the extra top-level `proxy:` section.
///
/// Every field is optional in the file; the defaults are Kong's (or nginx's, where Kong inherits them) so a
/// configuration written for Kong behaves the same without a `proxy:` section at all.
public struct ProxySettings: Sendable, Equatable {
    /// Client listeners (`listen`). Default `0.0.0.0:8000`, Kong's `proxy_listen` HTTP default. The file may
    /// give a list or one comma-separated string, as in `kong.conf`. Never empty.
    public var listen: [ListenAddress] = [ListenAddress(host: "0.0.0.0", port: 8000)]
    /// Server certificate for `ssl` listeners (`tls`). Default `nil`; required as soon as a listener has `ssl`.
    public var tls: TLSSettings? = nil
    /// Listener for `/status`, `/status/ready` and `/metrics` (`status_listen`). Default `nil`: no status
    /// endpoint, as Kong's `status_listen = off`.
    public var statusListen: ListenAddress? = nil
    /// Peers whose `X-Forwarded-*` / `X-Real-IP` headers are believed (`trusted_ips`). Default `[]`: nobody,
    /// as Kong, so a client cannot spoof its address.
    public var trustedIPs: [IPRange] = []
    /// Header carrying the real client address when the peer is trusted (`real_ip_header`), lower-cased.
    /// Default `"x-real-ip"` (Kong's default); `"x-forwarded-for"` is the other accepted value.
    public var realIPHeader: String = "x-real-ip"
    /// With `x-forwarded-for`: skip trusted addresses from the right to find the client (`real_ip_recursive`).
    /// Default `false`, as Kong: the last address is taken.
    public var realIPRecursive: Bool = false
    /// Time allowed to read a request's headers, and each gap while reading its body (`client_timeout_ms`).
    /// Default 60000, nginx's `client_header_timeout` / `client_body_timeout` under Kong.
    public var clientTimeoutMs: Int = 60000
    /// How long an idle client connection is kept open between requests (`keepalive_timeout_ms`).
    /// Default 75000, nginx's default `keepalive_timeout`; 0 closes the connection after each response.
    public var keepaliveTimeoutMs: Int = 75000
    /// Largest request header block, request line included (`max_header_bytes`); above it the client gets
    /// 431. Default 65536: far above what real clients send, small enough to bound memory per connection.
    public var maxHeaderBytes: Int = 65536
    /// Most header lines in a request (`max_headers`); above it the client gets 431. Default 100, Kong's
    /// `lua_max_req_headers`.
    public var maxHeaders: Int = 100
    /// Largest request body (`max_body_bytes`); above it the client gets 413. Default 1048576 (1 MiB), so that
    /// bodies buffered for the policy provider stay bounded; 0 means unlimited (Kong's
    /// `client_max_body_size 0`).
    public var maxBodyBytes: Int = 1_048_576
    /// Most client connections open at once (`max_connections`); more are refused until one closes.
    /// Default 10000, a bound that keeps file descriptors and memory finite.
    public var maxConnections: Int = 10000
    /// Add `X-Kong-Upstream-Latency` and `X-Kong-Proxy-Latency` to responses (`latency_headers`).
    /// Default `true`, as Kong's `headers = latency_tokens` default.
    public var latencyHeaders: Bool = true
    /// How long graceful shutdown waits for in-flight requests before closing them (`drain_timeout_ms`).
    /// Default 30000, long enough for normal requests, short enough for orchestrators' kill timeouts.
    public var drainTimeoutMs: Int = 30000
    /// Idle keep-alive connections kept per upstream per event loop (`upstream_keepalive_pool_size`).
    /// Default 512 (Kong's); 0 disables upstream keep-alive.
    public var upstreamKeepalivePoolSize: Int = 512
    /// How long an idle upstream connection stays pooled (`upstream_keepalive_idle_timeout_ms`).
    /// Default 60000 (Kong's `upstream_keepalive_idle_timeout = 60` seconds). At least 1.
    public var upstreamKeepaliveIdleTimeoutMs: Int = 60000
    /// Requests sent on one upstream connection before it is closed (`upstream_keepalive_max_requests`).
    /// Default 10000 (Kong's); 0 means unlimited.
    public var upstreamKeepaliveMaxRequests: Int = 10000
    /// Cap on open connections per upstream per event loop (`upstream_max_connections`). Default 0:
    /// unlimited, as Kong (nginx opens as many as requests need).
    public var upstreamMaxConnections: Int = 0
    /// Event loop threads (`worker_threads`), like Kong's `nginx_worker_processes`. Default 0: one per CPU
    /// core ("auto"). Read at start; a reload does not change it.
    public var workerThreads: Int = 0
    /// Logging threshold (`log_level`). Default `"info"`; one of `trace`, `debug`, `info`, `notice`,
    /// `warning`, `error`, `critical` (swift-log's levels; Kong's `warn` and `crit` are accepted as aliases).
    public var logLevel: String = "info"
    /// Where the access log goes (`access_log`): `stdout` (default, as Kong's Docker image sets
    /// `proxy_access_log = /dev/stdout`), `stderr`, a file path (appended to), or `off`.
    public var accessLog: AccessLogDestination = .stdout
    /// Access log line format (`access_log_format`): `text` (default; nginx's combined format followed by
    /// key=value latencies) or `json` (one object per line).
    public var accessLogFormat: AccessLogFormat = .text

    /// All defaults, as when the file has no `proxy:` section.
    public init() {}
}

/// Where access log lines are written.
public enum AccessLogDestination: Sendable, Equatable {
    case off
    case stdout
    case stderr
    /// An absolute path (relative paths in the file are resolved against the file's directory).
    case file(String)
}

/// How an access log line is written.
public enum AccessLogFormat: String, Sendable, Equatable {
    case text
    case json
}

/// Certificate and key for `ssl` listeners, and optionally the CA that client certificates must chain to.
///
/// Paths are absolute after loading: relative paths in the file are resolved against the directory of the
/// configuration file, so the gateway can be started from anywhere. The loader checks that the files exist;
/// their content is checked when the listener starts.
public struct TLSSettings: Sendable, Equatable {
    /// PEM certificate chain presented to clients (`certificate`). Required.
    public var certificate: String
    /// PEM private key of `certificate` (`key`). Required.
    public var key: String
    /// PEM CA bundle (`client_ca`). Default `nil`: no client certificate is requested. When set, clients
    /// are asked for a certificate that chains to it.
    public var clientCA: String?

    public init(certificate: String, key: String, clientCA: String? = nil) {
        self.certificate = certificate
        self.key = key
        self.clientCA = clientCA
    }
}
