// AtomicFile: write a file so that readers see either the old content or the complete new content,
// never a half-written one (a crash or a full disk leaves at most a stray temporary file).
//
// How: write to a unique temporary file in the same folder (same file system, so rename(2) is
// atomic), fsync it, then rename it over the destination.
// Complexity: O(bytes).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Atomic whole-file writes.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    /// - Throws: `FormatError.unwritable` naming the path and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\(name).tmp-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(folder.isEmpty ? "." : folder)") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        let synced = ok && fsync(fd) == 0
        let reason = errno
        close(fd)
        guard synced else {
            unlink(temporary)
            throw FormatError(.unwritable, file: path, "writing failed (\(String(cString: strerror(reason))))",
                              fix: "check free disk space and permissions of the folder")
        }
        guard rename(temporary, path) == 0 else {
            let e = errno
            unlink(temporary)
            throw FormatError(.unwritable, file: path, "cannot replace the file (\(String(cString: strerror(e))))",
                              fix: "check the folder's permissions")
        }
    }

    private static func failure(_ path: String, _ what: String) -> FormatError {
        FormatError(.unwritable, file: path, "\(what) (\(String(cString: strerror(errno))))",
                    fix: "check that the folder exists and is writable")
    }
}
