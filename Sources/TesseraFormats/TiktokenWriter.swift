// TiktokenWriter: writes a `.tiktoken` rank file exactly as tiktoken's `dump_tiktoken_bpe` does
// (tiktoken/load.py: `base64(token) SP rank LF` for every token, sorted by rank, no header), plus the sidecar
// `<file>.json` that `TiktokenLoader` reads for what the rank file cannot hold: name, split pattern,
// special tokens, normalizer and `n_vocab`.
//
// Canonical sidecar: a JSON object with two-space indentation and keys in the order name, pattern,
// special_tokens (in id order), normalizer (only when there is one, or `"none"` when the file's name is a
// known encoding with a normalizer, which would otherwise be inherited), n_vocab (only when ids are dense,
// as tiktoken's `explicit_n_vocab` requires), then a final newline. Strings use serde_json's escaping.
//
// Invariant: reading the two files back gives the same vocabulary, ranks, pattern and specials; a
// merge-list model is written only as its ids-as-ranks, and the report says when that changes encodings.
// Complexity: O(total token bytes) for the rank file.

import TesseraBPE
import TesseraTokenizer
import TesseraUnicode

/// Writes `.tiktoken` files with their sidecar.
public struct TiktokenWriter: TokenizerWriting {
    public let format = "tiktoken"
    public let aliases = [".tiktoken"]
    public let target = "a .tiktoken file (its sidecar FILE.json is written beside it)"

    public init() {}

    /// The rank file of `vocabulary`: ids are the ranks, in increasing order.
    /// - Complexity: O(total token bytes), one buffer.
    public static func rankFile(_ vocabulary: Vocabulary) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(vocabulary.count * 16)
        var token: [UInt8] = []
        for id in 0..<vocabulary.idUpperBound {
            token.removeAll(keepingCapacity: true)
            guard vocabulary.appendBytes(of: TokenID(id), to: &token) else { continue }
            WriterText.appendBase64(token, to: &out)
            out.append(0x20)
            WriterText.appendDecimal(id, to: &out)
            out.append(0x0A)
        }
        return out
    }

    /// The canonical sidecar JSON (`specials` nil leaves the key out: GPT-2 files keep specials in vocab.json).
    /// `explicitlyNone` writes `"normalizer": "none"` when there is no normalizer (needed when the file's name is
    /// a known encoding that has one, which the sidecar would otherwise inherit).
    public static func sidecar(name: String, pattern: String?, specials: [SpecialToken]?, normalizer: NormalizationForm?,
                               explicitlyNone: Bool = false, nVocab: Int?) -> [UInt8] {
        var out: [UInt8] = []
        WriterText.append("{\n  \"name\": ", to: &out)
        WriterText.appendJSONString(name, to: &out)
        if let pattern {
            WriterText.append(",\n  \"pattern\": ", to: &out)
            WriterText.appendJSONString(pattern, to: &out)
        }
        if let specials {
            WriterText.append(",\n  \"special_tokens\": {", to: &out)
            for (i, s) in specials.sorted(by: { $0.id < $1.id }).enumerated() {
                WriterText.append(i == 0 ? "\n    " : ",\n    ", to: &out)
                WriterText.appendJSONString(s.text, to: &out)
                WriterText.append(": ", to: &out)
                WriterText.appendDecimal(s.id, to: &out)
            }
            WriterText.append(specials.isEmpty ? "}" : "\n  }", to: &out)
        }
        if let normalizer {
            WriterText.append(",\n  \"normalizer\": ", to: &out)
            WriterText.appendJSONString(normalizer.rawValue.uppercased(), to: &out)
        } else if explicitlyNone {
            WriterText.append(",\n  \"normalizer\": \"none\"", to: &out)
        }
        if let nVocab {
            WriterText.append(",\n  \"n_vocab\": ", to: &out)
            WriterText.appendDecimal(nVocab, to: &out)
        }
        WriterText.append("\n}\n", to: &out)
        return out
    }

    public func prepare(_ tokenizer: Tokenizer, for path: String, options: WriteOptions) throws -> PreparedWrite {
        let export = try BPEExport(tokenizer, format: format)
        var report = ConversionReport(format: format)
        export.checkRankOrder(options, &report)
        export.reportPipelineExtras(&report)
        let sidecarPath = path + ".json"
        var pattern: String?
        switch export.pattern {
        case .single(let p):
            pattern = p.source
            report.sidecar("the split pattern is in the sidecar \(sidecarPath) (tiktoken keeps it in code)")
        case .wholeText:
            report.lost("the tokenizer does not split text, and a tiktoken pattern must: the sidecar has no pattern")
        case .composite(let description):
            report.lost("the pre-tokenizer (\(description)) is not one regex, so the sidecar has no pattern")
        }
        if !export.specials.isEmpty {
            report.sidecar("\(export.specials.count) special token(s) are in the sidecar (tiktoken keeps them in code)")
        }
        let normalizer = export.sidecarNormalizer(&report, where: "the sidecar")
        let dense = export.vocabulary.count + export.specials.count == tokenizer.idUpperBound
        let ranks = report.timed("serialize") { Self.rankFile(export.vocabulary) }
        let inherited = KnownEncoding.forFile(path)?.normalization != nil
        let side = Self.sidecar(name: tokenizer.name, pattern: pattern, specials: export.specials, normalizer: normalizer,
                                explicitlyNone: inherited, nVocab: dense ? tokenizer.idUpperBound : nil)
        return PreparedWrite(report: report, files: [(path, ranks), (sidecarPath, side)])
    }
}
