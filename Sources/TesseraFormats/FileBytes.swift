// FileBytes: read a whole file into memory, gunzipping it transparently.
//
// A file is treated as gzip when its name ends in `.gz` or when it starts with the gzip magic
// 1f 8b. Decompression streams through zlib's `inflate` (window bits 15 + 32: auto-detect the gzip
// header) in 256 KiB output steps and handles multi-member files (`cat a.gz b.gz`), as `gzip -d` does.
//
// Invariant: the result is exactly the file's (decompressed) content; a truncated or corrupt gzip
// stream is an error naming the file and the compressed byte offset, never a partial result.
// Complexity: O(file size) time; memory = compressed + decompressed size.

import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files for the loaders.
public enum FileBytes {
    /// The whole content of `path`, decompressed when it is gzip.
    /// - Throws: `FormatError` `.fileNotFound`, `.unreadable` or `.corruptCompression`, naming the path.
    public static func read(_ path: String) throws -> [UInt8] {
        let raw = try readRaw(path)
        if isGzip(raw) || path.hasSuffix(".gz") {
            return try gunzip(raw, file: path)
        }
        return raw
    }

    /// The first `count` bytes of `path` (decompressed when it is gzip), for format detection: a plain file
    /// is read only that far.
    public static func readHead(_ path: String, count: Int = 4096) throws -> ArraySlice<UInt8> {
        if path.hasSuffix(".gz") { return try read(path).prefix(count) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return try read(path).prefix(count) }   // let read(_:) name the problem
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = head.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress! + filled, count - filled) }
            if got < 0 { if errno == EINTR { continue }; return try read(path).prefix(count) }
            if got == 0 { break }
            filled += got
        }
        if isGzip(head[0..<filled]) { return try read(path).prefix(count) }
        return head[0..<filled]
    }

    /// Whether `bytes` starts with the gzip magic number.
    public static func isGzip<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var it = bytes.makeIterator()
        return it.next() == 0x1f && it.next() == 0x8b
    }

    /// Throws unless `path` names an existing file (not a folder).
    static func requireFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FormatError(.fileNotFound, file: path, "no such file",
                              fix: "check the path (relative paths are resolved from \(FileManager.default.currentDirectoryPath))")
        }
        if isDirectory.boolValue {
            throw FormatError(.unreadable, file: path, "is a folder, not a file", fix: "give the path of a file inside it")
        }
    }

    /// The file's bytes as stored on disk.
    static func readRaw(_ path: String) throws -> [UInt8] {
        try requireFile(path)
        // POSIX read straight into the array (no Data copy): this is on the startup path of every load.
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FormatError(.unreadable, file: path, "cannot be opened for reading (\(String(cString: strerror(errno))))",
                              fix: "check the file's permissions")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FormatError(.unreadable, file: path, "cannot be examined (\(String(cString: strerror(errno))))",
                              fix: "check the file's permissions")
        }
        // Read the size stat reports in place, then keep reading in chunks in case the file grew or
        // stat reports 0 (pipes, /proc files).
        var failure: Int32 = 0
        let size = max(Int(info.st_size), 0)
        var out = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { return }
            while initialized < size {
                let got = posixRead(fd, base + initialized, size - initialized)
                if got < 0 { if errno == EINTR { continue }; failure = errno; return }
                if got == 0 { return }
                initialized += got
            }
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while failure == 0 {
            let got = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if got < 0 { if errno == EINTR { continue }; failure = errno; break }
            if got == 0 { break }
            out.append(contentsOf: chunk[0..<got])
        }
        if failure != 0 {
            throw FormatError(.unreadable, file: path, "read failed (\(String(cString: strerror(failure))))",
                              fix: "check that the file is readable and not being written to")
        }
        return out
    }

    /// Decompresses a gzip stream (one or more members).
    /// - Throws: `FormatError.corruptCompression` naming `file` and the compressed offset of the failure.
    public static func gunzip(_ input: [UInt8], file: String) throws -> [UInt8] {
        if input.isEmpty {
            throw FormatError(.corruptCompression, file: file, at: .byteOffset(0), "the gzip file is empty",
                              fix: "download or copy the file again")
        }
        var output: [UInt8] = []
        output.reserveCapacity(min(input.count * 4, 1 << 30))
        var stream = z_stream()
        // 15 + 32: maximum window, detect zlib or gzip headers automatically.
        var status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw FormatError(.corruptCompression, file: file, "zlib could not start (inflateInit2 returned \(status))",
                              fix: "check the zlib installation (apt install zlib1g-dev)")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 18
        var chunkBuffer = [UInt8](repeating: 0, count: chunk)
        try input.withUnsafeBufferPointer { inBuf in
            guard let inBase = inBuf.baseAddress else { return }
            stream.next_in = UnsafeMutablePointer(mutating: inBase)
            stream.avail_in = uInt(inBuf.count)
            while true {
                let produced: Int = chunkBuffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return chunk - Int(stream.avail_out)
                }
                output.append(contentsOf: chunkBuffer[0..<produced])
                let consumed = inBuf.count - Int(stream.avail_in)
                switch status {
                case Z_OK:
                    if produced == 0 && stream.avail_in == 0 {
                        throw FormatError(.corruptCompression, file: file, at: .byteOffset(consumed),
                                          "the gzip data ends early (truncated file)",
                                          fix: "download or copy the file again; `gzip -t \(file)` confirms the damage")
                    }
                case Z_STREAM_END:
                    // Another member may follow (concatenated gzip files); trailing zero padding is allowed.
                    let rest = inBuf[consumed...]
                    if rest.isEmpty || rest.allSatisfy({ $0 == 0 }) { return }
                    guard isGzip(rest) else {
                        throw FormatError(.corruptCompression, file: file, at: .byteOffset(consumed),
                                          "unexpected bytes after the end of the gzip data",
                                          fix: "the file has trailing garbage; re-create it with gzip")
                    }
                    let reset = inflateReset(&stream)
                    if reset != Z_OK {
                        throw FormatError(.corruptCompression, file: file, at: .byteOffset(consumed),
                                          "zlib could not restart for the next gzip member (\(reset))")
                    }
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 {
                        throw FormatError(.corruptCompression, file: file, at: .byteOffset(consumed),
                                          "the gzip data ends early (truncated file)",
                                          fix: "download or copy the file again; `gzip -t \(file)` confirms the damage")
                    }
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "inflate returned \(status)"
                    throw FormatError(.corruptCompression, file: file, at: .byteOffset(consumed),
                                      "not valid gzip data (\(message))",
                                      fix: "check the file with `gzip -t \(file)`; if it is not compressed, remove the .gz suffix")
                }
            }
        }
        return output
    }
}

/// POSIX `read(2)` (a free function, so the name does not resolve to `FileBytes.read`).
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
