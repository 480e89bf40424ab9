// ICURegex: an ICU regular expression that matches UTF-8 bytes in place and reports UTF-8 byte ranges.
//
// Invariant: the compiled pattern (`prototype`) is never matched on; every match runs on a matcher cloned from it
// (`uregex_clone`, which shares the compiled pattern through an atomic reference count), and a matcher is used by
// one thread at a time: it is taken from `pool` under a mutex and put back after the call. So one ICURegex may be
// used from any number of threads at once.
// Cost: a call that finds the pool empty (the first call on each concurrently active thread) pays one
// `uregex_clone` (a RegexMatcher allocation; clone + close measured at about 0.25 µs for the GPT-2 pattern);
// other calls reuse a pooled matcher for two uncontended lock operations. At most `poolLimit` idle matchers are
// kept. Text is read through `utext_openUTF8` (no UTF-16 copy); each call also re-points the UText twice.
// Complexity: matching is ICU's backtracking engine, pattern-dependent; linear for tokenizer patterns.

import CICUShim
import Synchronization

/// A compiled ICU regular expression over UTF-8 bytes.
///
/// Semantics follow Python's `re.finditer`/`regex.finditer`: matches are non-overlapping, left to right; after an
/// empty match the search resumes one scalar later, and an empty match may directly follow a non-empty one.
/// The pattern is compiled with `UREGEX_UNIX_LINES`, so only `\n` is a line terminator for `.`, `^` and `$`
/// (as in Python and in Oniguruma, which Hugging Face `tokenizers` uses). `\s` is Unicode White_Space and
/// `\p{L}`, `\p{N}`, ... use ICU 72's Unicode 15.0 data. Possessive quantifiers, atomic groups, look-around,
/// `(?i:...)` and `\p{...}` are supported. Ill-formed UTF-8 in the text is read as U+FFFD per bad sequence and
/// never makes a match fail.
public final class ICURegex: @unchecked Sendable {
    /// The pattern as given.
    public let pattern: String
    /// Whether the whole pattern matches case-insensitively (`UREGEX_CASE_INSENSITIVE`).
    public let caseInsensitive: Bool

    /// Compiled pattern; only ever the source of clones.
    private let prototype: Matcher
    private let pool = Mutex<[Matcher]>([])
    /// Idle matchers kept for reuse; more threads than this still work, they just clone again.
    private static let poolLimit = 16

    /// An ICU matcher handle; `@unchecked` because the pool's mutex (or sole ownership) serializes its use.
    private struct Matcher: @unchecked Sendable {
        let handle: OpaquePointer
    }

    /// Compiles `pattern` with ICU.
    /// - Throws: `.regexSyntax` naming ICU's error (such as `U_REGEX_MISSING_CLOSE_PAREN`) and its position in
    ///   Unicode scalars from the pattern's start; `.icuFailure` for other ICU errors.
    public init(_ pattern: String, caseInsensitive: Bool = false) throws(UnicodeError) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        // ICU rejects a zero-length pattern; Python and Oniguruma accept it as "match the empty string".
        let units = pattern.isEmpty ? Array("(?:)".utf16) : Array(pattern.utf16)
        guard units.count <= Int(Int32.max) else {
            throw .textTooLong(length: units.count, limit: Int(Int32.max))
        }
        var flags = UInt32(CICU_REGEX_UNIX_LINES)
        if caseInsensitive { flags |= UInt32(CICU_REGEX_CASE_INSENSITIVE) }
        var status: Int32 = 0
        var line: Int32 = -1
        var column: Int32 = -1
        let handle = units.withUnsafeBufferPointer { buffer in
            cicu_regex_open(buffer.baseAddress, Int32(buffer.count), flags, &status, &line, &column)
        }
        guard let handle else {
            let name = ICULibrary.errorName(status)
            // Compiling only fails for the pattern's sake (U_REGEX_*, or U_ILLEGAL_ARGUMENT_ERROR from a bad
            // property name in a set) or for lack of memory.
            if status != 7 /* U_MEMORY_ALLOCATION_ERROR */ {
                throw .regexSyntax(pattern: pattern, message: name,
                                   offset: Self.scalarOffset(in: pattern, line: Int(line), column: Int(column)))
            }
            throw .icuFailure(operation: "uregex_open", code: status)
        }
        prototype = Matcher(handle: handle)
    }

    deinit {
        for matcher in pool.withLock({ pool in let all = pool; pool.removeAll(); return all }) {
            cicu_regex_close(matcher.handle)
        }
        cicu_regex_close(prototype.handle)
    }

    /// All matches in `utf8`, as byte ranges, left to right.
    /// - Throws: `.icuFailure` if ICU fails while matching (for example a stack or time limit).
    public func matches(in utf8: UnsafeBufferPointer<UInt8>) throws(UnicodeError) -> [Range<Int>] {
        var result: [Range<Int>] = []
        try forEachMatch(in: utf8) { result.append($0) }
        return result
    }

    /// All matches in `utf8`, as byte ranges (convenience over the buffer form).
    public func matches(in utf8: [UInt8]) throws(UnicodeError) -> [Range<Int>] {
        try utf8.withUnsafeBufferPointer { (buffer) throws(UnicodeError) in try matches(in: buffer) }
    }

    /// Calls `body` with each match's byte range, left to right, without collecting them.
    /// - Throws: `.icuFailure` if ICU fails while matching; matches before the failure have been reported.
    public func forEachMatch(in utf8: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) throws(UnicodeError) {
        let matcher = try checkOut()
        defer { checkIn(matcher) }
        let text = UnsafeRawPointer(utf8.baseAddress)?.assumingMemoryBound(to: CChar.self)
        let status = cicu_regex_set_utf8(matcher.handle, text, Int64(utf8.count))
        guard status <= 0 else { throw .icuFailure(operation: "uregex_setUText", code: status) }
        var start: Int64 = 0
        var end: Int64 = 0
        while true {
            let found = cicu_regex_next(matcher.handle, &start, &end)
            if found == 0 { return }
            guard found > 0 else { throw .icuFailure(operation: "uregex_findNext", code: -found) }
            body(Int(start)..<Int(end))
        }
    }

    private func checkOut() throws(UnicodeError) -> Matcher {
        if let pooled = pool.withLock({ $0.popLast() }) { return pooled }
        var status: Int32 = 0
        guard let handle = cicu_regex_clone(prototype.handle, &status) else {
            throw .icuFailure(operation: "uregex_clone", code: status)
        }
        return Matcher(handle: handle)
    }

    private func checkIn(_ matcher: Matcher) {
        // Drop the pointer into the caller's buffer before the matcher can outlive it in the pool.
        cicu_regex_reset_text(matcher.handle)
        let kept = pool.withLock { pool -> Bool in
            guard pool.count < Self.poolLimit else { return false }
            pool.append(matcher)
            return true
        }
        if !kept { cicu_regex_close(matcher.handle) }
    }

    /// Converts ICU's parse position (1-based line, code points into that line) to scalars from the pattern start,
    /// following ICU's line counting (CR, LF, CRLF, NEL and LS end a line).
    static func scalarOffset(in pattern: String, line: Int, column: Int) -> Int {
        guard line >= 1, column >= 0 else { return -1 }
        var currentLine = 1
        var lineStart = 0
        var index = 0
        var previous: Unicode.Scalar? = nil
        for scalar in pattern.unicodeScalars {
            if currentLine == line { break }
            index += 1
            switch scalar.value {
            case 0x0D, 0x85, 0x2028:
                currentLine += 1
                lineStart = index
            case 0x0A where previous?.value != 0x0D:
                currentLine += 1
                lineStart = index
            case 0x0A:
                lineStart = index  // the LF of a CRLF belongs to the terminator already counted
            default:
                break
            }
            previous = scalar
        }
        return min(lineStart + column, pattern.unicodeScalars.count)
    }
}
