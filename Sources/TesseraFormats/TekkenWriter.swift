// TekkenWriter: writes Mistral tekken JSON that mistral-common 1.13.1 (`Tekkenizer.from_file`) and
// `TekkenLoader` read (format in TekkenLoader.swift).
//
// Canonical form (ours; Mistral's own files differ from each other in indentation and escaping):
//
//     {
//       "config": {
//         "pattern": "…",
//         "num_vocab_tokens": N,
//         "default_vocab_size": N + S,
//         "default_num_special_tokens": S,
//         "version": "v7"
//       },
//       "vocab": [
//         {"rank": 0, "token_bytes": "AA==", "token_str": "\u0000"},
//         …
//       ],
//       "special_tokens": [
//         {"rank": 0, "token_str": "<unk>", "is_control": true},
//         …
//       ]
//     }
//
// with a final newline; one entry per line; `token_str` is the token's bytes as UTF-8 text, or null when they
// are not valid UTF-8 (as in Mistral's files); strings escaped as serde_json does; `special_tokens` always
// written (so any version reads it), `version` from the source tekken file or `v7`.
// tekken fixes ids by position (`IDLayout`: specials 0..<S, byte b at S + b, then rank order), so other
// layouts are renumbered and reported; a merge-list model is written as the ranks of its ids, and the
// report says when that changes encodings.
//
// Invariant: `TekkenLoader` reads the file back to the same tokens, ranks (in new ids), pattern and specials.
// Complexity: O(total token bytes).

import TesseraBPE
import TesseraTokenizer

/// Writes tekken JSON files.
public struct TekkenWriter: TokenizerWriting {
    public let format = "tekken"
    public let aliases = ["tekken.json", "mistral"]
    public let target = "a tekken .json file"

    /// The version written when the source is not a tekken file.
    public static let defaultVersion = "v7"

    public init() {}

    public func prepare(_ tokenizer: Tokenizer, for path: String, options: WriteOptions) throws -> PreparedWrite {
        let export = try BPEExport(tokenizer, format: format)
        var report = ConversionReport(format: format)
        export.checkRankOrder(options, &report)
        export.reportPipelineExtras(&report)
        export.reportNormalizerDropped(&report)
        var pattern = ""
        switch export.pattern {
        case .single(let p): pattern = p.source
        case .wholeText:
            report.lost("the tokenizer does not split text, and a tekken pattern must (tiktoken semantics): config.pattern is empty")
        case .composite(let description):
            report.lost("the pre-tokenizer (\(description)) is not one regex: config.pattern is empty")
        }
        let version = options.tekkenVersion ?? Self.defaultVersion
        if !TekkenLoader.versions.contains(version) {
            throw FormatError(.invalidValue, file: path, at: .field("config.version"), "unknown tekken version \(version.debugDescription)",
                              fix: "use one of " + TekkenLoader.versions.joined(separator: ", "))
        }
        let layout = export.tekkenLayout()
        if layout.changed > 0 {
            report.lost("ids are renumbered to tekken's fixed layout: " + layout.describe(
                "special tokens → 0..<\(export.specials.count), byte b → \(export.specials.count) + b, other tokens after them in rank order",
                example: layout.firstChanged))
        }
        let vocabulary = export.vocabulary
        let s = export.specials.count
        let bytes = report.timed("serialize") { () -> [UInt8] in
            // New id order: invert the layout for ordinary tokens.
            var oldOfRank = [TokenID](repeating: .max, count: vocabulary.count)
            for id in 0..<vocabulary.idUpperBound where vocabulary.contains(TokenID(id)) {
                if let new = layout[TokenID(id)] { oldOfRank[Int(new) - s] = TokenID(id) }
            }
            var out: [UInt8] = []
            out.reserveCapacity(vocabulary.count * 64)
            WriterText.append("{\n  \"config\": {\n    \"pattern\": ", to: &out)
            WriterText.appendJSONString(pattern, to: &out)
            WriterText.append(",\n    \"num_vocab_tokens\": ", to: &out)
            WriterText.appendDecimal(vocabulary.count, to: &out)
            WriterText.append(",\n    \"default_vocab_size\": ", to: &out)
            WriterText.appendDecimal(vocabulary.count + s, to: &out)
            WriterText.append(",\n    \"default_num_special_tokens\": ", to: &out)
            WriterText.appendDecimal(s, to: &out)
            WriterText.append(",\n    \"version\": ", to: &out)
            WriterText.appendJSONString(version, to: &out)
            WriterText.append("\n  },\n  \"vocab\": [", to: &out)
            var token: [UInt8] = []
            for (rank, old) in oldOfRank.enumerated() {
                token.removeAll(keepingCapacity: true)
                _ = vocabulary.appendBytes(of: old, to: &token)
                WriterText.append(rank == 0 ? "\n    {\"rank\": " : ",\n    {\"rank\": ", to: &out)
                WriterText.appendDecimal(rank, to: &out)
                WriterText.append(", \"token_bytes\": \"", to: &out)
                WriterText.appendBase64(token, to: &out)
                WriterText.append("\", \"token_str\": ", to: &out)
                if String(validating: token, as: UTF8.self) != nil {
                    WriterText.appendJSONString(token, to: &out)
                } else {
                    WriterText.append("null", to: &out)
                }
                out.append(0x7D)
            }
            WriterText.append("\n  ],\n  \"special_tokens\": [", to: &out)
            for (rank, special) in export.specials.enumerated() {
                WriterText.append(rank == 0 ? "\n    {\"rank\": " : ",\n    {\"rank\": ", to: &out)
                WriterText.appendDecimal(rank, to: &out)
                WriterText.append(", \"token_str\": ", to: &out)
                WriterText.appendJSONString(special.text, to: &out)
                WriterText.append(options.tekkenNonControl.contains(special.id) ? ", \"is_control\": false}" : ", \"is_control\": true}",
                                  to: &out)
            }
            WriterText.append(s == 0 ? "]\n}\n" : "\n  ]\n}\n", to: &out)
            return out
        }
        return PreparedWrite(report: report, files: [(path, bytes)])
    }
}
