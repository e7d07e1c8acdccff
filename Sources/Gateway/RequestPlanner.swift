import GatewayConfig
import GatewayRouter
import NIOCore
import NIOHTTP1

/// Facts about a client connection that every request on it shares.
struct ClientConnectionInfo {
    /// "http" or "https": the listener's scheme.
    var scheme: String
    /// The host and port of the listener the client connected to (used when a request names no host).
    var listenerHost: String
    var listenerPort: Int
    var peerIP: String
    var peerPort: Int
}

/// What to do with a request, decided from its head alone before any I/O.
enum RequestPlan {
    /// Answer locally. `closeConnection` when the rest of the request cannot be trusted (framing errors,
    /// oversize bodies) so we must not try to read another request from this connection.
    case respond(KongErrorResponse, closeConnection: Bool, extraHeaders: [(String, String)] = [])
    /// Send `upstreamHead` to `service`.
    case proxy(ProxyPlan)
}

/// A routed request, ready to go upstream.
struct ProxyPlan {
    var route: CompiledRoute
    var service: CompiledService
    var upstreamHead: HTTPRequestHead
    var routeMatch: RouteMatch
    /// The normalised path, and the rest of what the policy will be told (next issue).
    var normalizedPath: String
    var host: String
    var query: Substring?
    var client: ClientAddress
    var forwarded: ForwardedValues
    var bodyFraming: BodyFraming
    var expectsContinue: Bool
}

enum BodyFraming: Equatable {
    case none
    case contentLength(Int)
    case chunked

    var hasBody: Bool {
        switch self {
        case .none, .contentLength(0): false
        case .contentLength, .chunked: true
        }
    }
}

/// Adapts NIO's header storage to the router's lookup without copying it.
struct RoutingHeaders: RouteHeaderLookup {
    let headers: HTTPHeaders
    func routeHeaderValues(_ lowercasedName: String) -> [String] { self.headers[lowercasedName] }
}

/// Turns a request head into a plan: framing checks, target and host parsing, path normalisation,
/// routing, and the upstream request head with Kong's forwarding headers.
enum RequestPlanner {
    /// Headers that the gateway sets itself on the upstream request, so client copies are dropped first.
    static let replacedUpstreamHeaders: [String] = [
        "host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
        "x-forwarded-path", "x-forwarded-prefix", "x-real-ip", "expect",
    ]

    /// - Parameter serverName: the TLS SNI on https listeners ("" when the client sent none), nil on http.
    static func plan(
        head: HTTPRequestHead,
        connection: ClientConnectionInfo,
        serverName: String?,
        configuration: CompiledConfiguration
    ) -> RequestPlan {
        let settings = configuration.source.proxy

        // Framing (RFC 9112 §6). llhttp already refuses most smuggling shapes; these checks make the
        // rules ours and explicit.
        let transferEncodings = head.headers["transfer-encoding"]
        let contentLengths = head.headers["content-length"]
        let framing: BodyFraming
        if !transferEncodings.isEmpty {
            guard contentLengths.isEmpty else { return .respond(.badRequest, closeConnection: true) }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map {
                $0.trimmingASCIISpaces().lowercased()
            }
            guard codings == ["chunked"] else {
                return .respond(
                    KongErrorResponse(status: .notImplemented, message: "Transfer-Encoding not supported"),
                    closeConnection: true
                )
            }
            framing = .chunked
        } else if !contentLengths.isEmpty {
            guard contentLengths.count == 1, let length = Self.parseContentLength(contentLengths[0]) else {
                return .respond(.badRequest, closeConnection: true)
            }
            framing = .contentLength(length)
        } else {
            framing = .none
        }
        if case .contentLength(let length) = framing, settings.maxBodyBytes > 0, length > settings.maxBodyBytes {
            return .respond(.payloadTooLarge, closeConnection: true)
        }

        // Target and host.
        guard let target = RequestTarget(head.uri) else { return .respond(.badRequest, closeConnection: true) }
        let hostHeaders = head.headers["host"]
        guard hostHeaders.count <= 1 else { return .respond(.badRequest, closeConnection: true) }
        let host: String
        if let authority = target.authority ?? hostHeaders.first.map({ Substring($0) }) {
            guard let parsed = HostAndPort(authority) else { return .respond(.badRequest, closeConnection: true) }
            host = parsed.host
        } else if head.version.major == 1 && head.version.minor >= 1 {
            return .respond(.badRequest, closeConnection: true)
        } else {
            host = connection.listenerHost
        }
        guard let path = RequestPath.normalize(target.rawPath) else {
            return .respond(.badRequest, closeConnection: true)
        }

        // Routing.
        let routeRequest = RouteRequest(
            method: head.method.rawValue,
            host: host,
            port: connection.listenerPort,
            path: path,
            sni: serverName,
            headers: RoutingHeaders(headers: head.headers)
        )
        let expectsContinue = Self.expectsContinue(head)
        let keepReading = framing == .none || !expectsContinue
        guard let match = configuration.router.match(routeRequest) else {
            return .respond(.noRoute, closeConnection: !keepReading)
        }
        let route = configuration.routes[match.routeIndex]
        if connection.scheme == "http" && !route.allowsHTTP {
            if route.httpsRedirectStatus == 426 {
                return .respond(.upgradeRequired, closeConnection: !keepReading)
            }
            let location = "https://\(host)\(target.rawPath)" + (target.query.map { "?\($0)" } ?? "")
            return .respond(
                KongErrorResponse(status: .init(statusCode: route.httpsRedirectStatus), message: "Moved"),
                closeConnection: !keepReading,
                extraHeaders: [("Location", location)]
            )
        }
        if connection.scheme == "https" && !route.allowsHTTPS {
            return .respond(.noRoute, closeConnection: !keepReading)
        }
        guard let service = route.service else { return .respond(.noService, closeConnection: !keepReading) }

        // The upstream request.
        let client = ClientAddress(
            peerIP: connection.peerIP,
            peerPort: connection.peerPort,
            headers: head.headers,
            settings: settings
        )
        let forwarded = ForwardedValues(
            address: client,
            headers: head.headers,
            scheme: connection.scheme,
            host: host,
            listenerPort: connection.listenerPort,
            rawPath: target.rawPath
        )
        var headers = HTTPHeaders()
        headers.reserveCapacity(head.headers.count + 10)
        let clientHost = hostHeaders.first
        headers.add(name: "Host", value: route.preserveHost ? (clientHost ?? service.hostHeader) : service.hostHeader)
        HeaderRules.appendForwardable(
            head.headers,
            to: &headers,
            dropUnderscoreNames: true,
            alsoDrop: Self.replacedUpstreamHeaders
        )
        headers.add(name: "X-Forwarded-For", value: forwarded.forwardedFor)
        headers.add(name: "X-Forwarded-Proto", value: forwarded.proto)
        headers.add(name: "X-Forwarded-Host", value: forwarded.host)
        headers.add(name: "X-Forwarded-Port", value: forwarded.port)
        headers.add(name: "X-Forwarded-Path", value: forwarded.path)
        if let prefix = forwarded.prefix { headers.add(name: "X-Forwarded-Prefix", value: prefix) }
        headers.add(name: "X-Real-IP", value: client.clientIP)
        switch framing {
        case .chunked:
            headers.add(name: "Transfer-Encoding", value: "chunked")
        case .none where [.POST, .PUT, .PATCH].contains(head.method):
            headers.add(name: "Content-Length", value: "0")
        case .none, .contentLength:
            break
        }
        headers.add(name: "Connection", value: "keep-alive")

        var upstreamURI = UpstreamPath.join(servicePath: service.basePath, requestPath: path, match: match)
        if let query = target.query {
            upstreamURI += "?"
            upstreamURI += query
        }
        let upstreamHead = HTTPRequestHead(
            version: .http1_1,
            method: head.method,
            uri: upstreamURI,
            headers: headers
        )
        return .proxy(
            ProxyPlan(
                route: route,
                service: service,
                upstreamHead: upstreamHead,
                routeMatch: match,
                normalizedPath: path,
                host: host,
                query: target.query,
                client: client,
                forwarded: forwarded,
                bodyFraming: framing,
                expectsContinue: expectsContinue && framing.hasBody
            )
        )
    }

    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        head.version == .http1_1
            && head.headers["expect"].contains { $0.lowercased() == "100-continue" }
    }

    /// RFC 9110 §8.6: 1*DIGIT, nothing else (no sign, no spaces inside, no lists).
    static func parseContentLength(_ value: String) -> Int? {
        let digits = value[...].trimmingASCIISpaces()
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(digits)
    }
}
