import HTTPClientPool

/// Upstream connections are pooled connections leased by client handlers.
typealias UpstreamPool = HTTPConnectionPool<ProxyHandler>
typealias UpstreamConnectionHandler = PooledHTTPConnection<ProxyHandler>
