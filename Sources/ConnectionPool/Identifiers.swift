/// Names one connection inside one pool.
///
/// The state machine allocates these itself from a monotonic counter (starting at 0), so two live
/// connections of the same pool never share an id; ids of different pools may collide, which is why the
/// shell keys its channels per pool.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) {
        self.rawValue = rawValue
    }

    public var description: String { "connection#\(self.rawValue)" }
}

/// Names one request waiting for, or holding, a connection.
///
/// The shell allocates these; the state machine only compares them. Reusing an id while the previous
/// request with that id is still known to the pool (waiting, connecting or leased) is a shell bug.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) {
        self.rawValue = rawValue
    }

    public var description: String { "request#\(self.rawValue)" }
}
