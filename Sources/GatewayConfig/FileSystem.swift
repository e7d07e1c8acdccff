import Foundation

/// The little file access the loader needs, in one place.
enum FileSystem {
    /// `path` itself when absolute, else `directory/path`, with `.`/`..` segments and repeated slashes
    /// removed so messages show a clean path.
    static func absolutePath(_ path: String, relativeTo directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : (directory.hasSuffix("/") ? directory : directory + "/") + path
        if joined.hasPrefix("/") {
            return URL(fileURLWithPath: joined).standardizedFileURL.path
        }
        let current = FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: current + "/" + joined).standardizedFileURL.path
    }

    /// Whether a regular file (or a link to one) exists at `path`.
    static func fileExists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The directory that contains `path`, absolute.
    static func directory(of path: String) -> String {
        let absolute = absolutePath(path, relativeTo: FileManager.default.currentDirectoryPath)
        return URL(fileURLWithPath: absolute).deletingLastPathComponent().path
    }

    /// The file's bytes, or a one-line reason.
    static func read(_ path: String) -> Result<[UInt8], ReadFailure> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return .failure(ReadFailure(message: exists ? "cannot read file: \(path)" : "file not found: \(path)"))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.readToEnd() ?? Data()
            return .success([UInt8](data))
        } catch {
            return .failure(ReadFailure(message: "cannot read file: \(path)"))
        }
    }

    struct ReadFailure: Error {
        var message: String
    }
}
