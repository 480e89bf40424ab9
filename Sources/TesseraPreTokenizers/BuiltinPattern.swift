// The built-in pre-tokenizer patterns and the regular expressions they stand for.

/// A pre-tokenization regex that Tessera implements with a hand-written scanner (`PatternScanner`).
///
/// Each case splits exactly as Python's `regex` module does with `regexSource` and with every string in
/// `alternativeSources` (checked by the golden tests; see docs/algorithms/pretokenizer-scanners.md).
public enum BuiltinPattern: String, Sendable, CaseIterable {
    /// GPT-2, r50k_base, p50k_base, p50k_edit (and Hugging Face's ByteLevel pre-tokenizer regex).
    case gpt2
    /// cl100k_base as tiktoken 0.14.0 spells it. Differs from `llama3` (the older / Hugging Face cl100k string)
    /// only on a whitespace run at the very end of the text that holds `\r` or `\n` followed by other whitespace:
    /// `"a\n "` gives `"a"`, `"\n "` here and `"a"`, `"\n"`, `" "` there.
    case cl100k
    /// o200k_base and o200k_harmony (GPT-4o, GPT-5, gpt-oss).
    case o200k
    /// Llama 3's `Split` regex; also the Hugging Face and tiktoken <= 0.6 spelling of cl100k.
    case llama3
    /// Qwen2 / Qwen2.5 / Qwen3's `Split` regex: `llama3` with single digits.
    case qwen2

    /// The reference regular expression (tiktoken 0.14.0 for the OpenAI encodings; tokenizer.json for the others).
    public var regexSource: String {
        switch self {
        case .gpt2:
            #"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"#
        case .cl100k:
            #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"#
        case .o200k:
            #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#
                + #"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#
                + #"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .llama3:
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .qwen2:
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// Other spellings found in the wild that split identically to `regexSource` (proven on the golden inputs and
    /// the shared corpora by scripts/make-golden-splits.py).
    public var alternativeSources: [String] {
        switch self {
        case .gpt2:
            [
                // Hugging Face ByteLevel pre-tokenizer / GPT-2's encoder.py.
                #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#,
                // The form quoted in tiktoken's source comment.
                #"'s|'t|'re|'ve|'m|'ll|'d| ?[\p{L}]+| ?[\p{N}]+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#,
            ]
        case .cl100k:
            [
                #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s+"#,
            ]
        case .o200k:
            []
        case .llama3:
            [
                // tiktoken's intermediate cl100k spelling (also minbpe's GPT4_SPLIT_PATTERN).
                #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"#,
                #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"#,
            ]
        case .qwen2:
            []
        }
    }

    /// The built-in pattern whose reference or alternative string is exactly `regex`, if any
    /// (so that a tokenizer.json whose `Split` regex is one of them gets the fast scanner).
    public static func matching(regex: String) -> BuiltinPattern? {
        for pattern in allCases where pattern.regexSource == regex || pattern.alternativeSources.contains(regex) {
            return pattern
        }
        return nil
    }
}
