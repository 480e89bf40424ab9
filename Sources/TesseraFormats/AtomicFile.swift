// AtomicFile: every writer's last step. The bytes go to a temporary file in the destination's own folder
// (so the final rename never crosses a file system), are flushed with fsync, and the temporary file is then
// renamed over the destination with rename(2), which POSIX makes atomic: a reader sees the old file or the
// new one, never a torn one, and a crash leaves at most a stray `.NAME.tmp-*` file behind.
//
// Invariant: on success the destination holds exactly `bytes`; on failure the destination is untouched and
// the temporary file is removed. Complexity: O(size).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Atomic whole-file writes.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically (temporary file in the same folder + fsync + rename).
    /// - Throws: `FormatError` `.unwritable` naming the path and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let dir = folder.isEmpty ? "." : folder
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FormatError(.unwritable, file: path, "is a folder, so a file cannot be written there",
                              fix: "give the path of a file, or remove the folder")
        }
        var template = Array("\(dir)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw FormatError(.unwritable, file: path, "cannot create a temporary file in \(dir) (\(String(cString: strerror(errno))))",
                              fix: "check that the folder exists and is writable")
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        // mkstemp creates the file 0600; give it the permissions an ordinary new file would get.
        if failure == 0 {
            let mask = umask(0)
            umask(mask)
            fchmod(fd, 0o666 & ~mask)
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FormatError(.unwritable, file: path, "cannot be written (\(String(cString: strerror(failure))))",
                              fix: "check the free space and the folder's permissions")
        }
    }

    /// Creates `path` as a folder (and its parents) unless it already is one.
    /// - Throws: `FormatError` `.unwritable` when it is a file or cannot be created.
    public static func makeFolder(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return }
            throw FormatError(.unwritable, file: path, "is a file, but this format is written as a folder of files",
                              fix: "give a folder path (it is created when missing)")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FormatError(.unwritable, file: path, "the folder cannot be created (\(error.localizedDescription))",
                              fix: "check the parent folder's permissions")
        }
    }
}

/// POSIX `write(2)` (a free function, so the name does not resolve to `AtomicFile.write`).
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
