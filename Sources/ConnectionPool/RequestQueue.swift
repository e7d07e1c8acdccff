/// The requests waiting for a connection, oldest first (FIFO: fair, and the oldest is closest to its
/// queue timeout).
///
/// Popping from the front is O(1) amortised (a moving head index, compacted once half the storage is
/// dead); removing from the middle (timeout, cancellation) is O(n), which is fine for the queue lengths a
/// per-loop pool sees.
struct RequestQueue: Sendable {
    private var storage: [RequestID] = []
    private var head = 0

    var count: Int { self.storage.count - self.head }

    var isEmpty: Bool { self.count == 0 }

    mutating func append(_ request: RequestID) {
        self.storage.append(request)
    }

    /// Removes and returns the oldest waiter, or nil when nobody waits.
    mutating func popFirst() -> RequestID? {
        guard self.head < self.storage.count else { return nil }
        let request = self.storage[self.head]
        self.head += 1
        self.compactIfNeeded()
        return request
    }

    /// Removes `request` if it waits; returns whether it did.
    mutating func remove(_ request: RequestID) -> Bool {
        guard let index = self.storage[self.head...].firstIndex(of: request) else { return false }
        self.storage.remove(at: index)
        return true
    }

    /// Empties the queue, returning the waiters oldest first.
    mutating func removeAll() -> [RequestID] {
        let all = Array(self.storage[self.head...])
        self.storage = []
        self.head = 0
        return all
    }

    private mutating func compactIfNeeded() {
        if self.head == self.storage.count {
            self.storage.removeAll(keepingCapacity: true)
            self.head = 0
        } else if self.head >= 16, self.head * 2 >= self.storage.count {
            self.storage.removeFirst(self.head)
            self.head = 0
        }
    }
}
