// OnigurumaPattern: rewrites the few escapes whose meaning differs between Oniguruma (Ruby syntax, the regex
// engine of Hugging Face `tokenizers`' Split pre-tokenizer and Replace normalizer/decoder) and ICU (which runs
// them here), so tokenizer.json regexes split as in tokenizers.
//
// Measured on tokenizers 0.23.3 over every code point (bench/.venv, Split(Regex, invert) probes):
// - `\w` in Oniguruma also matches ² ³ ¹ ¼ ½ ¾ (U+00B2, B3, B9, BC–BE: its Latin-1 table marks them as word
//   characters) and does not match U+200C/U+200D (ICU's `\w` includes Join_Control); `\W` is the complement;
// - `\h` / `\H` are hexadecimal digits / non-digits in Ruby syntax (ICU: horizontal whitespace).
// `\d`, `\s`, `\p{L}`, `\p{N}` agree except for code points assigned after Unicode 15.0 (ICU 72's data;
// tokenizers' Oniguruma has Unicode 16.0).
//
// Invariant: outside these escapes the pattern is unchanged; escapes inside `[...]` are rewritten to a class
// body, outside to a whole class. Complexity: O(pattern length).

enum OnigurumaPattern {
    static let wordBody = #"\w\u00B2\u00B3\u00B9\u00BC-\u00BE"#
    static let hexBody = "0-9a-fA-F"

    /// `pattern` with Oniguruma's `\w`, `\W`, `\h`, `\H` spelled for ICU.
    static func icu(_ pattern: String) -> String {
        var out = ""
        var classDepth = 0
        var scalars = Array(pattern.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if c == "\\", let next = scalars.popFirst() {
                switch (next, classDepth > 0) {
                case ("w", false): out += "[[" + wordBody + "]--[\\u200C\\u200D]]"
                case ("w", true): out += wordBody
                case ("W", false): out += "[^" + wordBody + "[\\u200C\\u200D]]"
                case ("h", false): out += "[" + hexBody + "]"
                case ("h", true): out += hexBody
                case ("H", false): out += "[^" + hexBody + "]"
                default:
                    out.unicodeScalars.append(c)
                    out.unicodeScalars.append(next)
                }
                continue
            }
            if c == "[" { classDepth += 1 } else if c == "]" && classDepth > 0 { classDepth -= 1 }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
