import NIOCore
import NIOHTTP1

/// Responses the gateway answers itself, with Kong's status codes and messages so that clients and
/// dashboards written against Kong keep working.
///
/// Kong picks the body format from `Accept` (`kong.tools.utils.get_response_type`): JSON unless the
/// client prefers HTML, plain text or XML. JSON is the default for a missing or wildcard `Accept`.
struct KongErrorResponse {
    var status: HTTPResponseStatus
    var message: String

    static let noRoute = KongErrorResponse(status: .notFound, message: "no Route matched with those values")
    static let badGateway = KongErrorResponse(
        status: .badGateway,
        message: "An invalid response was received from the upstream server"
    )
    static let gatewayTimeout = KongErrorResponse(status: .gatewayTimeout, message: "The upstream server is timing out")
    static let badRequest = KongErrorResponse(status: .badRequest, message: "Bad request")
    static let payloadTooLarge = KongErrorResponse(status: .payloadTooLarge, message: "Request size limit exceeded")
    static let headersTooLarge = KongErrorResponse(
        status: .requestHeaderFieldsTooLarge,
        message: "Request header or cookie too large"
    )
    static let requestTimeout = KongErrorResponse(status: .requestTimeout, message: "Request timeout")
    static let noService = KongErrorResponse(status: .serviceUnavailable, message: "no Service found with those values")
    static let upgradeRequired = KongErrorResponse(status: .upgradeRequired, message: "Please use HTTPS protocol")

    enum Format {
        case json, html, text, xml

        /// The first media range of `Accept` that names a format we can write; `*/*` and absence mean JSON.
        init(accept: String?) {
            guard let accept else {
                self = .json
                return
            }
            for range in accept.split(separator: ",") {
                let mediaType = range.split(separator: ";", maxSplits: 1).first?
                    .trimmingASCIISpaces().lowercased() ?? ""
                switch mediaType {
                case "application/json", "*/*", "application/*": self = .json; return
                case "text/html": self = .html; return
                case "text/plain", "text/*": self = .text; return
                case "application/xml", "text/xml": self = .xml; return
                default: continue
                }
            }
            self = .json
        }

        var contentType: String {
            switch self {
            case .json: "application/json; charset=utf-8"
            case .html: "text/html; charset=utf-8"
            case .text: "text/plain; charset=utf-8"
            case .xml: "application/xml; charset=utf-8"
            }
        }
    }

    /// Writes the body in the chosen format. The messages are our own constants, so only JSON escaping of
    /// `"` is ever needed, and none of them contain one.
    func body(format: Format, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: self.message.utf8.count + 64)
        switch format {
        case .json:
            buffer.writeString("{\"message\":\"\(self.message)\"}")
        case .text:
            buffer.writeString("\(self.message)\n")
        case .html:
            buffer.writeString(
                "<!doctype html>\n<html>\n<head><title>Error</title></head>\n"
                    + "<body><h1>Error</h1><p>\(self.message).</p></body>\n</html>\n"
            )
        case .xml:
            buffer.writeString(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error><message>\(self.message)</message></error>\n"
            )
        }
        return buffer
    }
}

extension Substring {
    func trimmingASCIISpaces() -> Substring {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
