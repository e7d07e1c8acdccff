import NIOHTTP1

/// What a request to the mock asks for, from its method and target alone.
///
/// The sideband paths match by suffix so that a gateway's `service_url` may carry any path prefix
/// (`https://mock:9100/paz` → `/paz/sideband/request`); the query is ignored. The developer endpoints live
/// under `/_mock/`, a prefix no sideband call can end with.
enum MockRoute: Equatable {
    /// `POST …/sideband/request` or `POST …/sideband/response`.
    case sideband(MockDecisionRecord.Phase)
    /// `GET /_mock/decisions`.
    case decisions
    /// `GET /_mock/health`.
    case health
    /// A known path with the wrong method; `allow` is the `Allow` header value.
    case methodNotAllowed(allow: String)
    /// Anything else.
    case notFound

    init(method: HTTPMethod, uri: String) {
        let path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { Substring(uri[..<$0]) } ?? Substring(uri)
        if path.hasSuffix("/sideband/request") {
            self = method == .POST ? .sideband(.request) : .methodNotAllowed(allow: "POST")
        } else if path.hasSuffix("/sideband/response") {
            self = method == .POST ? .sideband(.response) : .methodNotAllowed(allow: "POST")
        } else if path == "/_mock/decisions" {
            self = method == .GET || method == .HEAD ? .decisions : .methodNotAllowed(allow: "GET")
        } else if path == "/_mock/health" {
            self = method == .GET || method == .HEAD ? .health : .methodNotAllowed(allow: "GET")
        } else {
            self = .notFound
        }
    }
}
