// Buffered stdout writer and progress display (stderr, TTY only, after one second).

import Foundation

/// Collects output in a large buffer and writes it with few system calls.
final class OutputBuffer {
    private var buffer: [UInt8] = []
    private let handle: FileHandle

    init(handle: FileHandle = .standardOutput) {
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ s: String) { buffer.append(contentsOf: s.utf8); flushIfLarge() }
    func write(bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes); flushIfLarge() }

    /// Appends a decimal number without going through String.
    func write(number: UInt64) {
        if number == 0 { buffer.append(0x30); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = number, count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 { d[count] = UInt8(n % 10) + 0x30; n /= 10; count += 1 }
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(d[i]) }
        }
    }

    func flushIfLarge() { if buffer.count >= 1 << 20 { flush() } }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}

/// A progress line on stderr, shown only on a terminal and only once work has taken over a second.
/// Safe to advance from several threads (parallel chunks of one large file report as they finish).
final class Progress: @unchecked Sendable {
    private let total: Int?
    private let lock = NSLock()
    private var done = 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var shown = false
    private let enabled = isatty(2) == 1

    init(totalBytes: Int?) { total = totalBytes }

    func advance(bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        done += bytes
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        shown = true
        let mb = Double(done) / 1e6
        let rate = mb / max(now.timeIntervalSince(start), 1e-9)
        var line = String(format: "\r%.1f MB", mb)
        if let total, total > 0 { line += String(format: " / %.1f MB (%.0f%%)", Double(total) / 1e6, 100 * Double(done) / Double(total)) }
        line += String(format: "  %.1f MB/s", rate)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
