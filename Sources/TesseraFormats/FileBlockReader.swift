// FileBlockReader: read a file, a gzip file or standard input in blocks, so a corpus of any size
// streams through a bounded buffer (training, counting). `FileBytes.read` is the whole-file variant.
//
// Gzip is detected like FileBytes does (the `.gz` suffix or the 1f 8b magic) and inflated
// incrementally with zlib (multi-member files included); a truncated or corrupt stream is an error
// naming the file and the compressed offset, never silently short data.
// Invariant: concatenating every block returned equals `FileBytes.read(path)`.
// Complexity: O(file size) time; memory O(block size).

import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sequential reader of a file's (decompressed) bytes, block by block.
public final class FileBlockReader {
    /// The path given ("-" for standard input).
    public let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var gzip: UnsafeMutablePointer<z_stream>?
    private var compressed: [UInt8] = []
    private var compressedOffset = 0
    private var rawEnded = false
    private var streamEnded = false
    private var first = true

    /// Opens `path` ("-" reads standard input).
    /// - Throws: `FormatError` `.fileNotFound` / `.unreadable` naming the path.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 0
            ownsDescriptor = false
        } else {
            try FileBytes.requireFile(path)
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else {
                throw FormatError(.unreadable, file: path, "cannot be opened for reading (\(String(cString: strerror(errno))))",
                                  fix: "check the file's permissions")
            }
            fd = opened
            ownsDescriptor = true
        }
    }

    deinit {
        if let gzip {
            inflateEnd(gzip)
            gzip.deallocate()
        }
        if ownsDescriptor { close(fd) }
    }

    /// Appends up to about `maxBytes` more bytes to `buffer`; returns false (appending nothing) at the end.
    /// - Throws: `FormatError` for read errors and corrupt gzip data.
    public func read(into buffer: inout [UInt8], maxBytes requested: Int) throws -> Bool {
        let maxBytes = max(requested, 1)
        if first {
            first = false
            var head = [UInt8](repeating: 0, count: min(maxBytes, 1 << 16))
            let got = try readRaw(into: &head, count: head.count)
            head.removeSubrange(got...)
            if path.hasSuffix(".gz") || FileBytes.isGzip(head) {
                try startGzip()
                compressed = head
                compressedOffset = 0
                return try inflateMore(into: &buffer, maxBytes: maxBytes)
            }
            if got == 0 { return false }
            buffer.append(contentsOf: head)
            return true
        }
        if gzip != nil { return try inflateMore(into: &buffer, maxBytes: maxBytes) }
        // Read through a reusable scratch buffer, so a large block costs no zero-filling.
        var total = 0
        while total < maxBytes && !rawEnded {
            let step = min(scratch.count, maxBytes - total)
            let got = try readRaw(into: &scratch, count: step)
            buffer.append(contentsOf: scratch[..<got])
            total += got
        }
        return total > 0
    }

    private var scratch = [UInt8](repeating: 0, count: 1 << 20)

    private func readRaw(into array: inout [UInt8], count: Int) throws -> Int {
        try array.withUnsafeMutableBufferPointer { b in try readRaw(b.baseAddress!, count: count) }
    }

    /// Reads until `count` bytes or the end; returns the number read.
    private func readRaw(_ base: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        var total = 0
        while total < count {
            let got = Glibc.read(fd, base + total, count - total)
            if got < 0 {
                if errno == EINTR { continue }
                throw FormatError(.unreadable, file: path, "read failed (\(String(cString: strerror(errno))))",
                                  fix: "check that the file is readable")
            }
            if got == 0 { rawEnded = true; break }
            total += got
        }
        return total
    }

    private func startGzip() throws {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw FormatError(.corruptCompression, file: path, "zlib could not start (inflateInit2 returned \(status))",
                              fix: "check the zlib installation (apt install zlib1g-dev)")
        }
        gzip = stream
    }

    /// Total compressed bytes consumed so far (for error offsets).
    private var consumedTotal = 0

    private func inflateMore(into buffer: inout [UInt8], maxBytes: Int) throws -> Bool {
        guard let stream = gzip, !streamEnded else { return false }
        // Inflate into the scratch buffer (at most its size per call), then append.
        let maxBytes = min(maxBytes, scratch.count)
        var produced = 0
        defer { buffer.append(contentsOf: scratch[..<produced]) }
        while produced == 0 {
            if compressedOffset == compressed.count {
                if rawEnded {
                    throw FormatError(.corruptCompression, file: path, at: .byteOffset(consumedTotal),
                                      "the gzip data ends early (truncated file)",
                                      fix: "copy the file again; `gzip -t` confirms the damage")
                }
                compressed = [UInt8](repeating: 0, count: 1 << 20)
                let got = try readRaw(into: &compressed, count: compressed.count)
                compressed.removeSubrange(got...)
                compressedOffset = 0
                if got == 0 {
                    throw FormatError(.corruptCompression, file: path, at: .byteOffset(consumedTotal),
                                      "the gzip data ends early (truncated file)",
                                      fix: "copy the file again; `gzip -t` confirms the damage")
                }
            }
            let available = compressed.count - compressedOffset
            let status: Int32 = compressed.withUnsafeMutableBufferPointer { input in
                scratch.withUnsafeMutableBufferPointer { output in
                    stream.pointee.next_in = input.baseAddress! + compressedOffset
                    stream.pointee.avail_in = uInt(available)
                    stream.pointee.next_out = output.baseAddress! + produced
                    stream.pointee.avail_out = uInt(maxBytes - produced)
                    return inflate(stream, Z_NO_FLUSH)
                }
            }
            let used = available - Int(stream.pointee.avail_in)
            compressedOffset += used
            consumedTotal += used
            produced = maxBytes - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                // Another member may follow; only zero padding may trail the last one.
                if compressed.count - compressedOffset < 2 && !rawEnded {
                    // Keep the unread tail and read on, so a member header split across reads is seen whole.
                    var more = Array(compressed[compressedOffset...])
                    var next = [UInt8](repeating: 0, count: 1 << 20)
                    let got = try readRaw(into: &next, count: next.count)
                    more.append(contentsOf: next[..<got])
                    compressed = more
                    compressedOffset = 0
                }
                let rest = compressed[compressedOffset...]
                if rest.isEmpty || rest.allSatisfy({ $0 == 0 }) {
                    streamEnded = true
                    return produced > 0
                }
                guard FileBytes.isGzip(rest) else {
                    throw FormatError(.corruptCompression, file: path, at: .byteOffset(consumedTotal),
                                      "unexpected bytes after the end of the gzip data",
                                      fix: "the file has trailing garbage; re-create it with gzip")
                }
                inflateReset(stream)
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "inflate returned \(status)"
                throw FormatError(.corruptCompression, file: path, at: .byteOffset(consumedTotal),
                                  "not valid gzip data (\(message))",
                                  fix: "check the file with `gzip -t`; if it is not compressed, remove the .gz suffix")
            }
        }
        return true
    }
}
