/// The `response_status` of a `/sideband/response` payload: the status code's reason phrase, upper-cased.
///
/// The plugin knew 8 codes and sent `""` for every other one (201, 418, 431, ...); policies that test
/// `response_status` need the real phrase. Phrases are RFC 9110 §15's, plus the registered codes of other
/// RFCs (102, 103, 207, 208, 226, 423, 424, 425, 428, 429, 431, 451, 506, 507, 508, 510, 511) and the
/// commonly known 418 "I'M A TEAPOT". One deliberate exception: 413 stays "PAYLOAD TOO LARGE", the
/// phrase the plugin sent (RFC 7231's), so existing policies that compare it keep working; RFC 9110 renamed
/// it "Content Too Large". Unassigned codes give `""`, as the plugin did.
///
/// A `StaticString`, so the writer copies it with `writeStaticString` and nothing is allocated.
public enum ReasonPhrase {
    public static func upperCased(for statusCode: Int) -> StaticString {
        switch statusCode {
        case 100: "CONTINUE"
        case 101: "SWITCHING PROTOCOLS"
        case 102: "PROCESSING"
        case 103: "EARLY HINTS"
        case 200: "OK"
        case 201: "CREATED"
        case 202: "ACCEPTED"
        case 203: "NON-AUTHORITATIVE INFORMATION"
        case 204: "NO CONTENT"
        case 205: "RESET CONTENT"
        case 206: "PARTIAL CONTENT"
        case 207: "MULTI-STATUS"
        case 208: "ALREADY REPORTED"
        case 226: "IM USED"
        case 300: "MULTIPLE CHOICES"
        case 301: "MOVED PERMANENTLY"
        case 302: "FOUND"
        case 303: "SEE OTHER"
        case 304: "NOT MODIFIED"
        case 305: "USE PROXY"
        case 307: "TEMPORARY REDIRECT"
        case 308: "PERMANENT REDIRECT"
        case 400: "BAD REQUEST"
        case 401: "UNAUTHORIZED"
        case 402: "PAYMENT REQUIRED"
        case 403: "FORBIDDEN"
        case 404: "NOT FOUND"
        case 405: "METHOD NOT ALLOWED"
        case 406: "NOT ACCEPTABLE"
        case 407: "PROXY AUTHENTICATION REQUIRED"
        case 408: "REQUEST TIMEOUT"
        case 409: "CONFLICT"
        case 410: "GONE"
        case 411: "LENGTH REQUIRED"
        case 412: "PRECONDITION FAILED"
        case 413: "PAYLOAD TOO LARGE"
        case 414: "URI TOO LONG"
        case 415: "UNSUPPORTED MEDIA TYPE"
        case 416: "RANGE NOT SATISFIABLE"
        case 417: "EXPECTATION FAILED"
        case 418: "I'M A TEAPOT"
        case 421: "MISDIRECTED REQUEST"
        case 422: "UNPROCESSABLE CONTENT"
        case 423: "LOCKED"
        case 424: "FAILED DEPENDENCY"
        case 425: "TOO EARLY"
        case 426: "UPGRADE REQUIRED"
        case 428: "PRECONDITION REQUIRED"
        case 429: "TOO MANY REQUESTS"
        case 431: "REQUEST HEADER FIELDS TOO LARGE"
        case 451: "UNAVAILABLE FOR LEGAL REASONS"
        case 500: "INTERNAL SERVER ERROR"
        case 501: "NOT IMPLEMENTED"
        case 502: "BAD GATEWAY"
        case 503: "SERVICE UNAVAILABLE"
        case 504: "GATEWAY TIMEOUT"
        case 505: "HTTP VERSION NOT SUPPORTED"
        case 506: "VARIANT ALSO NEGOTIATES"
        case 507: "INSUFFICIENT STORAGE"
        case 508: "LOOP DETECTED"
        case 510: "NOT EXTENDED"
        case 511: "NETWORK AUTHENTICATION REQUIRED"
        default: ""
        }
    }
}
