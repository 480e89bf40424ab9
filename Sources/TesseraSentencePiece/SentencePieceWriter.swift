// SentencePieceWriter: a ModelProto → a `.model` file, written atomically: the bytes go to a temporary file in
// the destination's folder, are flushed (fsync) and then renamed over the destination, so a reader sees either the
// old file or the complete new one, never a partial write.
//
// Invariant: on any error the destination is untouched and the temporary file is removed.
// Complexity: O(model size).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes SentencePiece models.
public enum SentencePieceWriter {
    /// Serializes `model` to `path` atomically.
    /// - Throws: `SentencePieceError` (`.io`) naming the path and the system error.
    public static func write(_ model: ModelProto, to path: String) throws {
        try writeAtomically(model.serialized(), to: path)
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + base + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in its folder") }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        var written = 0
        let status: Int32 = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return errno }
                written += n
            }
            return 0
        }
        if status != 0 { close(fd); throw failure(path, "write failed", code: status) }
        if fsync(fd) != 0 { let e = errno; close(fd); throw failure(path, "fsync failed", code: e) }
        if close(fd) != 0 { throw failure(path, "close failed", code: errno) }
        // mkstemp creates the file 0600; give it the usual permissions (rw-r--r-- minus the umask).
        let mask = umask(0)
        umask(mask)
        chmod(temporary, 0o666 & ~mask)
        if rename(temporary, path) != 0 { throw failure(path, "rename over the destination failed", code: errno) }
        ok = true
    }

    private static func failure(_ path: String, _ what: String, code: Int32 = errno) -> SentencePieceError {
        SentencePieceError(.io, file: path, "\(what) (\(String(cString: strerror(code))))",
                           fix: "check that the folder exists and is writable")
    }
}

/// POSIX `write(2)` (a free function, so the name does not resolve to `SentencePieceWriter.write`).
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
