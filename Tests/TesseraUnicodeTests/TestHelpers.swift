// Helpers shared by the TesseraUnicode tests: byte/string conversions for readable expectations.
//
// Invariant: helpers only convert; they never decide test outcomes. Complexity: O(n).

/// The UTF-8 bytes of a string.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The substrings of `text` at the given byte ranges (ranges from these tests always sit on scalar boundaries).
func slices(_ text: String, _ ranges: [Range<Int>]) -> [String] {
    let b = bytes(text)
    return ranges.map { String(decoding: b[$0], as: UTF8.self) }
}
