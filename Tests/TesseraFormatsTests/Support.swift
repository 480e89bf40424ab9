// Shared helpers for the TesseraFormats tests: scratch folders, a tiny gzip writer (stored deflate blocks, so
// the tests need no zlib of their own), cached real tokenizers and error-message checks.

import Foundation
import Testing
import TesseraFormats
import TesseraTestSupport
import TesseraTokenizer

/// A fresh folder under the system temporary folder.
func scratchFolder(_ label: String = #function) throws -> URL {
    let safe = label.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-formats-\(safe)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `bytes` to `name` inside `folder` and returns the path.
@discardableResult
func write(_ bytes: [UInt8], _ name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
    return url.path
}

@discardableResult
func write(_ text: String, _ name: String, in folder: URL) throws -> String {
    try write(Array(text.utf8), name, in: folder)
}

/// CRC-32 (IEEE), bit by bit.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        crc ^= UInt32(b)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}

/// One gzip member holding `data` in stored (uncompressed) deflate blocks.
func gzipMember(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
    var offset = 0
    repeat {
        let n = min(65535, data.count - offset)
        let final: UInt8 = offset + n == data.count ? 1 : 0
        out.append(final)
        out += [UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
        out += data[offset..<(offset + n)]
        offset += n
    } while offset < data.count
    let crc = crc32(data)
    let size = UInt32(truncatingIfNeeded: data.count)
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
    return out
}

/// Checks that `error` is a FormatError whose message contains every string of `parts`.
func expectMessage(_ error: (any Error)?, contains parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return
    }
    let message = String(describing: error)
    #expect(error is FormatError, "not a FormatError: \(message)", sourceLocation: sourceLocation)
    for part in parts {
        #expect(message.contains(part), "\(message.debugDescription) does not contain \(part.debugDescription)",
                sourceLocation: sourceLocation)
    }
}

/// Runs `body` and returns the error it throws (nil if none).
func caught(_ body: () throws -> Any) -> (any Error)? {
    do { _ = try body(); return nil } catch { return error }
}

/// Real tokenizers, loaded once per test process.
enum Loaded {
    static let r50k: Tokenizer? = try? TiktokenLoader.load(path: Fixtures.vocabulary("r50k_base.tiktoken").path)
    static let cl100k: Tokenizer? = try? TiktokenLoader.load(path: Fixtures.vocabulary("cl100k_base.tiktoken").path)
    static let o200k: Tokenizer? = try? TokenizerLoader.load(nameOrPath: "o200k_base")
    static let qwen: Tokenizer? = try? TiktokenLoader.load(path: Fixtures.vocabulary("qwen.tiktoken").path)
    static let gpt2HF: Tokenizer? = try? GPT2Loader.load(path: Fixtures.vocabulary("gpt2").path)
}

/// A short multilingual sample used by smoke tests.
let sampleText = """
    Hello, world! It's 2024 and we're testing TOKENIZERS: naïve café, 日本語のテキスト, emoji 🎉🎉, \
    tabs\tand  double  spaces,\nnew lines\r\n and numbers 1234567 3.14159.
    """
