/// Normalisation of the path part of a request target.
///
/// The gateway normalises a request's path exactly once, and that single form is what routing, the policy
/// provider and the upstream all see, so they can never disagree about which resource is meant
/// (path-confusion bypasses: `/admin` vs `/%61dmin` vs `/x/../admin`). See SIDEBAND.md §2 "url".
public enum RequestPath {
    /// Normalises the path part of a request target (no query).
    ///
    /// - `%XX` escapes of unreserved characters (`ALPHA DIGIT - . _ ~`, RFC 3986 §2.3) are decoded; every
    ///   other escape is kept, with upper-case hex (`%2f` → `%2F`), so an encoded `/` never becomes a separator.
    /// - Bytes that may not appear raw in a path (space, control characters, bytes of non-ASCII characters,
    ///   `"` `<` `>` `\` `^` `` ` `` `{` `|` `}`, and also `#` `?` `[` `]`) are percent-encoded with
    ///   upper-case hex, so the result is always a valid RFC 3986 `path-absolute`.
    /// - Repeated `/` are merged and dot segments are removed (RFC 3986 §5.2.4), after decoding, so
    ///   `%2E%2E` counts as `..`. A `..` at the root stays at the root (`/../x` → `/x`).
    /// - A trailing `/` is kept, and a path ending in a dot segment ends with `/` (`/a/b/..` → `/a/`).
    ///
    /// When the input needs no change it is returned as is (one `String` initialisation, no other work).
    ///
    /// - Returns: the normalised path, or `nil` when the path is invalid and must be answered with 400:
    ///   empty or not starting with `/`, a malformed escape (`%zz`, `%4` at the end), or a NUL byte,
    ///   raw or encoded as `%00`.
    public static func normalize<S: StringProtocol>(_ raw: S) -> String? {
        switch scan(raw.utf8) {
        case .invalid:
            return nil
        case .unchanged:
            return String(raw)
        case .needsWork:
            guard let decoded = decode(raw.utf8) else {
                return nil
            }
            return removeDotSegments(decoded)
        }
    }

    // MARK: - Scan

    private enum ScanResult {
        /// Not a path we accept (empty, relative, or a raw NUL).
        case invalid
        /// Already in normal form: the caller returns its input.
        case unchanged
        /// Has escapes, bytes to encode, empty or dot segments.
        case needsWork
    }

    /// One pass over the bytes deciding whether the slow path is needed; it allocates nothing.
    private static func scan<C: Collection<UInt8>>(_ bytes: C) -> ScanResult {
        guard bytes.first == ASCII.slash else {
            return .invalid
        }
        var needsWork = false
        // Length of the current segment and how many of its bytes are dots.
        var segmentLength = 0
        var segmentDots = 0
        var isFirst = true
        for byte in bytes {
            if isFirst {
                isFirst = false
                continue
            }
            switch byte {
            case 0:
                return .invalid
            case ASCII.slash:
                // An empty segment means "//"; a segment of only one or two dots is a dot segment.
                if segmentLength == 0 || (segmentLength == segmentDots && segmentLength <= 2) {
                    needsWork = true
                }
                segmentLength = 0
                segmentDots = 0
            case ASCII.percent:
                needsWork = true
                segmentLength += 1
            default:
                if !PathBytes.isAllowedRaw(byte) {
                    needsWork = true
                }
                segmentLength += 1
                if byte == ASCII.dot {
                    segmentDots += 1
                }
            }
        }
        if segmentLength > 0 && segmentLength == segmentDots && segmentLength <= 2 {
            needsWork = true
        }
        return needsWork ? .needsWork : .unchanged
    }

    // MARK: - Decode and encode

    /// Decodes unreserved escapes, upper-cases the hex of the others and encodes bytes that may not stay
    /// raw. `nil` for a malformed escape or a NUL.
    private static func decode<C: Collection<UInt8>>(_ bytes: C) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            if byte == ASCII.percent {
                guard index != bytes.endIndex, let high = PathBytes.hexValue(bytes[index]) else {
                    return nil
                }
                bytes.formIndex(after: &index)
                guard index != bytes.endIndex, let low = PathBytes.hexValue(bytes[index]) else {
                    return nil
                }
                bytes.formIndex(after: &index)
                let value = high << 4 | low
                if value == 0 {
                    return nil
                }
                if PathBytes.isUnreserved(value) {
                    output.append(value)
                } else {
                    PathBytes.appendEscaped(value, to: &output)
                }
            } else if byte == 0 {
                return nil
            } else if PathBytes.isAllowedRaw(byte) {
                output.append(byte)
            } else {
                PathBytes.appendEscaped(byte, to: &output)
            }
        }
        return output
    }

    // MARK: - Segments

    /// Merges repeated `/` and removes `.` and `..` segments (RFC 3986 §5.2.4) from a decoded path that
    /// starts with `/`. Empty segments are skipped before `..` is applied, as nginx's `merge_slashes` and
    /// Kong's normaliser do, so `/a//../b` is `/b`.
    private static func removeDotSegments(_ path: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(path.count)
        // Where each segment kept in `output` starts (at its leading "/"), for popping on "..".
        var segmentStarts: [Int] = []
        var endsWithSlash = false
        var start = 1  // after the leading "/"
        while start <= path.count {
            var end = start
            while end < path.count && path[end] != ASCII.slash {
                end += 1
            }
            let isLast = end >= path.count
            let length = end - start
            let isDot = length == 1 && path[start] == ASCII.dot
            let isDotDot = length == 2 && path[start] == ASCII.dot && path[start + 1] == ASCII.dot
            if isDotDot {
                if let last = segmentStarts.popLast() {
                    output.removeSubrange(last...)
                }
            } else if length > 0 && !isDot {
                segmentStarts.append(output.count)
                output.append(ASCII.slash)
                output.append(contentsOf: path[start..<end])
            }
            if isLast {
                endsWithSlash = length == 0 || isDot || isDotDot
            }
            start = end + 1
        }
        if output.isEmpty || endsWithSlash {
            output.append(ASCII.slash)
        }
        return String(decoding: output, as: UTF8.self)
    }
}
