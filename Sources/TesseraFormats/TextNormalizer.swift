// TextNormalizer: the `TextNormalizing` the loaders attach to a `Tokenizer`, built from a tokenizer.json
// `normalizer` (TesseraUnicode's `Normalizer`), a ByteLevel pre-tokenizer's `add_prefix_space`, and the
// NFC step of Qwen's tiktoken tokenizer.
//
// Order is Hugging Face's: the normalizer runs first, then the pre-tokenizer's prefix space is added
// ("if add_prefix_space && !normalized.starts_with(' ') { prepend(' ') }", byte_level.rs): a single
// U+0020 is prepended when the (normalized) text is non-empty and does not already start with U+0020.
// Other whitespace (a tab, a newline) does not count as a space there, and neither does it here.
//
// Invariant: the output is well-formed UTF-8 whenever a Unicode normalizer ran (it validates its input);
// without one the bytes pass through untouched apart from the prefix space.
// Complexity: O(n) per stage.

import TesseraTokenizer
import TesseraUnicode

/// A normalizer stage plus an optional prefix space.
public struct TextNormalizer: TextNormalizing, Sendable, Equatable {
    /// The Unicode/case/whitespace normalizer, if any.
    public var normalizer: Normalizer?
    /// Prepend one space when the text does not start with one (ByteLevel `add_prefix_space`).
    public var addsPrefixSpace: Bool

    public init(normalizer: Normalizer?, addsPrefixSpace: Bool = false) {
        self.normalizer = normalizer
        self.addsPrefixSpace = addsPrefixSpace
    }

    public func normalizedBytes(_ text: [UInt8]) throws -> [UInt8] {
        var out = text
        if let normalizer { out = try normalizer.normalize(text) }
        if addsPrefixSpace, let first = out.first, first != 0x20 {
            out.insert(0x20, at: 0)
        }
        return out
    }

    public var summary: String {
        var parts: [String] = []
        if let normalizer { parts.append(Self.describe(normalizer)) }
        if addsPrefixSpace { parts.append("prefix space") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", then ")
    }

    static func describe(_ n: Normalizer) -> String {
        switch n {
        case .unicode(let form): return form.rawValue.uppercased()
        case .lowercase: return "Lowercase"
        case .strip(let left, let right): return "Strip(left: \(left), right: \(right))"
        case .sequence(let stages): return "Sequence[" + stages.map(describe).joined(separator: ", ") + "]"
        }
    }
}
