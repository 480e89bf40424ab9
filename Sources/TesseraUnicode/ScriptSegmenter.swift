// Script itemization: cuts UTF-8 text into runs of one Unicode Script (ICU `uscript_getScript`).
//
// Invariant: runs tile the input in order and adjacent runs have different scripts. Common (Zyyy) and Inherited
// (Zinh) scalars never start a run of their own while a real script is in sight: Inherited (combining marks)
// joins the run before it; Common (spaces, digits, punctuation) joins the run it sits in, i.e. the current run;
// leading Common/Inherited scalars join the first real script that follows. Text with no real script is one
// "Common" run. Paired brackets are not matched specially (unlike ICU's internal usc_ script runs).
// Complexity: O(n) time, one ICU property lookup per non-ASCII scalar (ASCII is answered from a branch).

import CICUShim

/// A maximal run of text in one script.
public struct ScriptRun: Sendable, Equatable, CustomStringConvertible {
    /// UTF-8 byte range of the run.
    public let range: Range<Int>
    /// ICU's long Script property value name: "Latin", "Cyrillic", "Han", "Hiragana", "Common", ...
    /// (the names `\p{Script=...}` accepts; ``ScriptSegmenter/isoCode(ofScript:)`` gives "Latn"-style codes).
    public let script: String

    public init(range: Range<Int>, script: String) {
        self.range = range
        self.script = script
    }

    public var description: String { "\(script)\(range)" }
}

/// Splits text into script runs.
public struct ScriptSegmenter: Sendable, Equatable {
    public init() {}

    /// The script runs of UTF-8 text.
    /// - Throws: `.invalidUTF8` with the offset of the first bad byte.
    public func runs(in utf8: [UInt8]) throws(UnicodeError) -> [ScriptRun] {
        try utf8.withUnsafeBufferPointer { (bytes) throws(UnicodeError) -> [ScriptRun] in
            try UTF8.validate(bytes)
            var codes: [(range: Range<Int>, code: Int32)] = []
            var runStart = 0
            var runCode = Int32(CICU_SCRIPT_COMMON)  // Common until the first real script shows up
            var i = 0
            while i < bytes.count {
                let (scalar, length) = UTF8.decodeValid(bytes, at: i)
                let code = Self.scriptCode(of: scalar)
                if code != Int32(CICU_SCRIPT_COMMON) && code != Int32(CICU_SCRIPT_INHERITED) && code != runCode {
                    if runCode == Int32(CICU_SCRIPT_COMMON) {
                        runCode = code  // leading Common/Inherited scalars join this first real script
                    } else {
                        codes.append((runStart..<i, runCode))
                        runStart = i
                        runCode = code
                    }
                }
                i += length
            }
            if bytes.count > 0 { codes.append((runStart..<bytes.count, runCode)) }
            var names: [Int32: String] = [:]
            return codes.map { run in
                if let name = names[run.code] { return ScriptRun(range: run.range, script: name) }
                let name = Self.name(ofScript: run.code)
                names[run.code] = name
                return ScriptRun(range: run.range, script: name)
            }
        }
    }

    /// The script runs of a string (convenience).
    public func runs(in text: String) throws(UnicodeError) -> [ScriptRun] {
        try runs(in: Array(text.utf8))
    }

    /// The long Script property value name of a scalar ("Latin", "Common", "Inherited", "Unknown" for unassigned
    /// or out-of-range values).
    public static func script(of scalar: UInt32) -> String {
        name(ofScript: scriptCode(of: scalar))
    }

    /// ICU's numeric `UScriptCode` for a scalar (0 Common, 1 Inherited, 103 Unknown).
    public static func scriptCode(of scalar: UInt32) -> Int32 {
        // ASCII letters are Latin and everything else in ASCII is Common; skipping ICU here keeps English fast.
        if scalar < 0x80 {
            return (scalar | 0x20) &- 0x61 < 26 ? Int32(CICU_SCRIPT_LATIN) : Int32(CICU_SCRIPT_COMMON)
        }
        return cicu_script(scalar)
    }

    /// The ISO 15924 code of an ICU script code ("Latn", "Cyrl", "Hani", "Zyyy").
    public static func isoCode(ofScript code: Int32) -> String {
        guard let p = cicu_script_short_name(code) else { return "Zzzz" }
        return String(cString: p)
    }

    /// The long name of an ICU script code ("Latin").
    public static func name(ofScript code: Int32) -> String {
        guard let p = cicu_script_name(code) else { return "Unknown" }
        return String(cString: p)
    }
}
