import NIOCore

/// Hot reload: polls the rules file and hands every change to `MockPDPCore.reload`.
///
/// Polling (size, modification time, inode) rather than inotify/kqueue: it works the same on Linux and
/// macOS, in containers and on network mounts, and survives editors that replace the file. A change is
/// read only once the stamp has stayed the same for a short settling time (the poll interval, at most
/// 100 ms), so a file being written is not read half-way; should that still happen, the half file fails
/// to parse and is reported, the rules in force stay, and the write's completion changes the stamp again.
/// Runs as a task (never on an event loop, so parsing a large file delays no call) until cancelled.
enum RulesWatcher {
    static func start(
        path: String,
        interval: TimeAmount,
        initialStamp: FileStamp?,
        core: MockPDPCore
    ) -> Task<Void, Never> {
        let nanoseconds = UInt64(max(1_000_000, interval.nanoseconds))
        let settling = min(nanoseconds, 100_000_000)
        return Task {
            var last = initialStamp
            var reportedMissing = false
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: nanoseconds)
                if Task.isCancelled { return }
                var stamp = FileStamp.of(path: path)
                guard stamp != last else { continue }
                // Wait for the writer to finish: the stamp must hold still for one settling time.
                while true {
                    try? await Task.sleep(nanoseconds: settling)
                    if Task.isCancelled { return }
                    let settled = FileStamp.of(path: path)
                    if settled == stamp { break }
                    stamp = settled
                }
                last = stamp
                guard stamp != nil else {
                    if !reportedMissing {
                        core.logger.warning("\(path) cannot be read: keeping the last good rules")
                        reportedMissing = true
                    }
                    continue
                }
                reportedMissing = false
                core.reload(path: path)
            }
        }
    }
}
