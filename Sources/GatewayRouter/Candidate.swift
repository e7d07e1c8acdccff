/// One entry of the router's ordered table: a route, or the part of it with one group of its paths.
///
/// A trivial value (no references): the per-request loop walks these without reference counting; the
/// paths themselves live in the router's flat ``PrefixTable`` and regex array.
struct Candidate: Sendable {
    /// Which paths a candidate carries, as ranges into the router's tables.
    enum Paths: Sendable, Equatable {
        /// The route has no paths: any path matches.
        case any
        /// Entries of the ``PrefixTable``: normalised prefixes of equal length, in configuration order.
        case prefixes(Range<Int>)
        /// Entries of the router's regexes (`^` already prepended), in configuration order.
        case regexes(Range<Int>)
    }

    var priority: RoutePriority
    /// Position of the route in the router's compiled routes (configuration order).
    var routeSlot: Int
    var paths: Paths
}

/// Every prefix path of every route, back to back in one byte array, so that matching a prefix is a
/// byte comparison with no reference counting and no allocation.
struct PrefixTable: Sendable {
    private var bytes: [UInt8] = []
    /// Where each prefix sits in `bytes`.
    private var spans: [Range<Int>] = []

    /// Number of prefixes stored; the next ``append(_:)`` gets this index.
    var count: Int {
        spans.count
    }

    /// Stores `prefix` (already normalised) and returns its index.
    @discardableResult
    mutating func append(_ prefix: String) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: prefix.utf8)
        spans.append(start..<bytes.count)
        return spans.count - 1
    }

    /// The byte length of the first prefix among `entries` that `path` starts with, or `nil`.
    func firstMatch(among entries: Range<Int>, in path: UnsafeBufferPointer<UInt8>) -> Int? {
        for entry in entries {
            let span = spans[entry]
            if span.count <= path.count && startsWith(path, span) {
                return span.count
            }
        }
        return nil
    }

    private func startsWith(_ path: UnsafeBufferPointer<UInt8>, _ span: Range<Int>) -> Bool {
        var offset = 0
        for index in span {
            if path[offset] != bytes[index] {
                return false
            }
            offset += 1
        }
        return true
    }
}
