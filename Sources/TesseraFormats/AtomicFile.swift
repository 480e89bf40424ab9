// AtomicFile: writes a whole file so that readers see either the old content or the new, never a part:
// the bytes go to a temporary file in the same folder (same file system), are flushed, and the temporary
// file is renamed over the target (rename(2) is atomic on POSIX file systems).
//
// Invariant: on failure the target is untouched and the temporary file is removed.
// Complexity: O(bytes).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum AtomicFile {
    /// Replaces `path` with `bytes`.
    /// - Throws: `FormatError(.unreadable)` naming the path and the system error.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw failure(path, "cannot create a temporary file next to it (\(String(cString: strerror(errno))))")
        }
        var ok = true
        bytes.withUnsafeBufferPointer { b in
            var offset = 0
            while offset < b.count, let base = b.baseAddress {
                let n = posixWrite(fd, base + offset, b.count - offset)
                if n < 0 { if errno == EINTR { continue }; ok = false; return }
                offset += n
            }
        }
        if ok && fsync(fd) != 0 { ok = false }
        let error = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw failure(path, "writing failed (\(String(cString: strerror(error))))")
        }
        guard rename(temporary, path) == 0 else {
            let e = errno
            unlink(temporary)
            throw failure(path, "cannot replace the file (\(String(cString: strerror(e))))")
        }
    }

    private static func failure(_ path: String, _ problem: String) -> FormatError {
        FormatError(.unreadable, file: path, problem, fix: "check that the folder exists and is writable")
    }

    private static func posixWrite(_ fd: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        systemWrite(fd, p, n)
    }
}

/// POSIX write(2) (a free function, so it is not confused with a method of the same name).
private func systemWrite(_ fd: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
    write(fd, p, n)
}
