import GatewayConfig
import NIOHTTP1

/// Who the client is, resolved once per request the way Kong (nginx's realip module) resolves it.
///
/// Only when the TCP peer is in `trusted_ips` are `X-Real-IP` / `X-Forwarded-*` believed; otherwise
/// the peer address and our own listener facts are used, so an untrusted client cannot claim to be
/// someone else to the upstream or to the policy.
struct ClientAddress: Equatable {
    /// The TCP peer (nginx `$realip_remote_addr`).
    var peerIP: String
    var peerPort: Int
    /// The client after realip (nginx `$remote_addr`): the peer unless a trusted peer said otherwise.
    var clientIP: String
    /// Whether the peer is trusted to tell us about the original request.
    var trusted: Bool

    init(peerIP: String, peerPort: Int, headers: HTTPHeaders, settings: ProxySettings) {
        self.peerIP = peerIP
        self.peerPort = peerPort
        let trusted = settings.trustedIPs.contains { $0.contains(peerIP) }
        self.trusted = trusted
        self.clientIP = peerIP
        guard trusted else { return }
        switch settings.realIPHeader.lowercased() {
        case "x-forwarded-for":
            let hops = headers["x-forwarded-for"].flatMap { $0.split(separator: ",") }.map {
                String($0.trimmingASCIISpaces())
            }
            if settings.realIPRecursive {
                // rightmost address that is not itself a trusted proxy
                if let hop = hops.last(where: { hop in !settings.trustedIPs.contains { $0.contains(hop) } }),
                    IPRange.parse(hop) != nil
                {
                    self.clientIP = hop
                } else if let first = hops.first, IPRange.parse(first) != nil {
                    self.clientIP = first
                }
            } else if let last = hops.last, IPRange.parse(last) != nil {
                self.clientIP = last
            }
        default:
            if let value = headers.first(name: settings.realIPHeader), IPRange.parse(value) != nil {
                self.clientIP = value.trimmingCharacters()
            }
        }
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String { String(self[...].trimmingASCIISpaces()) }
}

/// The `X-Forwarded-*` values Kong sends upstream for one request (and that the policy's `url` uses).
struct ForwardedValues: Equatable {
    var forwardedFor: String
    var proto: String
    var host: String
    var port: String
    var path: String
    var prefix: String?

    init(address: ClientAddress, headers: HTTPHeaders, scheme: String, host: String, listenerPort: Int, rawPath: Substring) {
        let incomingFor = headers["x-forwarded-for"]
        if incomingFor.isEmpty {
            self.forwardedFor = address.clientIP
        } else {
            // Kong appends the TCP peer to whatever chain arrived, trusted or not.
            self.forwardedFor = incomingFor.joined(separator: ", ") + ", " + address.peerIP
        }
        func trustedValue(_ name: String) -> String? {
            address.trusted ? headers.first(name: name) : nil
        }
        self.proto = trustedValue("x-forwarded-proto") ?? scheme
        self.host = trustedValue("x-forwarded-host") ?? host
        self.port = trustedValue("x-forwarded-port") ?? String(listenerPort)
        self.path = trustedValue("x-forwarded-path") ?? String(rawPath)
        self.prefix = trustedValue("x-forwarded-prefix")
    }
}
