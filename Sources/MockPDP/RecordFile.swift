import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The JSONL file that record mode appends to, one `RecordedExchange` line per forwarded call.
///
/// Opened once with `O_APPEND` (an existing recording is extended, never truncated) and mode 0600 (lines
/// carry client tokens inside the payloads). Each line is one `write(2)` under a lock, so lines from
/// different event loops never interleave. Writes are synchronous: record mode runs against a real
/// provider whose round trip dwarfs a page-cache write, and a recording must not lose its last lines when
/// the process stops.
final class RecordFile: Sendable {
    let path: String
    /// The descriptor, -1 once closed.
    private let descriptor: NIOLockedValueBox<CInt>

    init(path: String) throws(MockPDPError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .recordFile(path: path, message: String(cString: strerror(errno)))
        }
        self.path = path
        self.descriptor = NIOLockedValueBox(descriptor)
    }

    /// Appends `line` whole; returns the failure text when the file refused it (full disk, closed).
    func append(_ line: ByteBuffer) -> String? {
        self.descriptor.withLockedValue { descriptor -> String? in
            guard descriptor >= 0 else { return "the record file is closed" }
            return line.withUnsafeReadableBytes { bytes -> String? in
                var offset = 0
                while offset < bytes.count {
                    let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return String(cString: strerror(errno))
                    }
                    offset += written
                }
                return nil
            }
        }
    }

    /// Closes the file; later appends fail. Idempotent.
    func close() {
        self.descriptor.withLockedValue { descriptor in
            guard descriptor >= 0 else { return }
            _ = closeDescriptor(descriptor)
            descriptor = -1
        }
    }
}

/// `close(2)`, named apart from `RecordFile.close()`.
private func closeDescriptor(_ descriptor: CInt) -> CInt {
    #if canImport(Darwin)
    Darwin.close(descriptor)
    #elseif canImport(Musl)
    Musl.close(descriptor)
    #else
    Glibc.close(descriptor)
    #endif
}
