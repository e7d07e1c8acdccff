#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the hot reload compares to notice that a rules file changed: size, modification time (to the
/// nanosecond where the file system keeps it) and inode (editors that save by writing a new file and
/// renaming it over the old one change the inode even within the same clock tick).
struct FileStamp: Equatable, Sendable {
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int
    var inode: UInt64

    /// The stamp of the file at `path`, nil when it cannot be read (missing, no permission).
    static func of(path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return FileStamp(
            size: Int64(info.st_size),
            modifiedSeconds: Int(modified.tv_sec),
            modifiedNanoseconds: Int(modified.tv_nsec),
            inode: UInt64(info.st_ino)
        )
    }
}
