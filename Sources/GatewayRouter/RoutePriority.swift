/// Kong's 64-bit route priority (router flavour `traditional_compatible`): candidates are tried in descending
/// order of it, so a route that says more about a request wins over one that says less.
///
/// Layout, most significant bit first:
///
/// | bits  | field | meaning |
/// | ----- | ----- | ------- |
/// | 63–61 | weight | how many of methods, hosts, headers, snis, paths the route uses |
/// | 60    | plain host | the route has hosts and none of them has a `*` |
/// | 59–52 | header count | number of header names, capped at 255 |
/// | 51    | regex | the candidate's paths are regexes |
/// | 50–19 | regex priority | `regex_priority` for regex candidates, clamped to `0...UInt32.max`; 0 otherwise |
/// | 18–0  | prefix length | bytes of the candidate's prefix paths (`& 0x7FFFF`); 0 for regexes |
///
/// So categories beat plain hosts, which beat header counts, which beat regex over prefix, then
/// `regex_priority`, then the longer prefix.
struct RoutePriority: Comparable, Hashable, Sendable {
    /// Which paths a candidate carries: Kong splits a route with several paths into one candidate per
    /// distinct prefix length and one for all its regexes, each with its own priority.
    enum PathGroup: Hashable, Sendable {
        /// The route has no paths.
        case noPaths
        /// Prefix paths, all of this many bytes.
        case prefix(length: Int)
        /// Regex paths.
        case regex
    }

    static let weightShift: UInt64 = 61
    static let plainHostBit: UInt64 = 1 << 60
    static let headerCountShift: UInt64 = 52
    static let maxHeaderCount = 255
    static let regexBit: UInt64 = 1 << 51
    static let regexPriorityShift: UInt64 = 19
    static let prefixLengthMask: UInt64 = 0x7FFFF

    var rawValue: UInt64

    init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The priority of one candidate of a route. The counts are of the whole route (Kong computes them
    /// from the route, only the paths differ between a route's candidates).
    init(
        hasMethods: Bool,
        hosts: [String],
        headerCount: Int,
        hasSNIs: Bool,
        paths: PathGroup,
        regexPriority: Int
    ) {
        var weight: UInt64 = 0
        if hasMethods { weight += 1 }
        if !hosts.isEmpty { weight += 1 }
        if headerCount > 0 { weight += 1 }
        if hasSNIs { weight += 1 }
        if paths != .noPaths { weight += 1 }

        var value = weight << Self.weightShift
        if !hosts.isEmpty && !hosts.contains(where: { $0.utf8.contains(ASCII.asterisk) }) {
            value |= Self.plainHostBit
        }
        value |= UInt64(min(max(headerCount, 0), Self.maxHeaderCount)) << Self.headerCountShift
        switch paths {
        case .noPaths:
            break
        case .prefix(let length):
            value |= UInt64(max(length, 0)) & Self.prefixLengthMask
        case .regex:
            value |= Self.regexBit
            value |= UInt64(Self.clampedRegexPriority(regexPriority)) << Self.regexPriorityShift
        }
        self.rawValue = value
    }

    /// `regex_priority` squeezed into its 32-bit field: negative values count as 0 and values past
    /// `UInt32.max` as `UInt32.max`, so it can never spill into the fields above it.
    static func clampedRegexPriority(_ value: Int) -> UInt32 {
        if value <= 0 {
            return 0
        }
        return UInt32(clamping: value)
    }

    static func < (lhs: RoutePriority, rhs: RoutePriority) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
