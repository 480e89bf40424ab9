// MinBPEWriter: writes minbpe `.model` files as minbpe/base.py `Tokenizer.save` does: `minbpe v1`, the
// pattern line, the number of special tokens, `text id` per special (here in id order), then `id1 id2` per
// merge, every line ending in `\n`. (The human-only `.vocab` file is not written: minbpe never reads it.)
//
// minbpe fixes ids by position (byte b = id b, merge k = id 256 + k; `IDLayout`), so a tokenizer laid out
// otherwise (GPT-2, cl100k, o200k: byte tokens in alphabet order) is renumbered; the report states the rule.
// Rank-order sources get the merges recovered from their ranks. minbpe has no normalizer, no whole-piece
// lookup (`ignore_merges`), and its lines cannot hold a pattern with a line break or outer whitespace, or a
// special token containing whitespace: each is reported.
//
// Invariant: `MinBPELoader` reads the file back to the same tokens, merges (in new ids), pattern and specials,
// or the report lists the difference. Complexity: O(merges) plus merge recovery.

import TesseraBPE
import TesseraTokenizer

/// Writes minbpe `.model` files.
public struct MinBPEWriter: TokenizerWriting {
    public let format = "minbpe"
    public let aliases = [".model", "minbpe.model"]
    public let target = "a minbpe .model file"

    public init() {}

    public func prepare(_ tokenizer: Tokenizer, for path: String, options: WriteOptions) throws -> PreparedWrite {
        let export = try BPEExport(tokenizer, format: format)
        var report = ConversionReport(format: format)
        export.reportPipelineExtras(&report)
        export.reportNormalizerDropped(&report)
        var patternLine = ""
        switch export.pattern {
        case .single(let p):
            let source = p.source
            if source.contains(where: { $0 == "\n" || $0 == "\r" }) || MinBPELoader.pythonStrip(source) != source {
                report.lost("the split pattern has a line break or leading/trailing whitespace, which minbpe's pattern line "
                            + "cannot hold; the pattern line is left empty (no split)")
            } else {
                patternLine = source
            }
        case .wholeText: break
        case .composite(let description):
            report.lost("the pre-tokenizer (\(description)) is not one regex; the pattern line is left empty (no split)")
        }
        let merges = export.mergeList(options, &report)
        let (layout, kept) = export.minbpeLayout(merges, &report)
        if layout.changed > 0 {
            report.lost("ids are renumbered to minbpe's fixed layout: " + layout.describe("byte b → b, merge k → 256 + k",
                                                                                         example: layout.firstChanged))
        }
        var specialLines: [(String, TokenID)] = []
        var unwritable: [SpecialToken] = []
        for s in export.specials {
            guard let id = layout[s.id] else { continue }
            if s.text.unicodeScalars.contains(where: MinBPELoader.isPythonSpace) || s.text.contains(where: { $0 == "\n" || $0 == "\r" }) {
                unwritable.append(s)
            } else {
                specialLines.append((s.text, id))
            }
        }
        if !unwritable.isEmpty {
            report.lost("\(unwritable.count) special token(s) contain whitespace, which minbpe's `text id` lines cannot hold; "
                        + "they are dropped (\(unwritable.prefix(3).map { $0.text.debugDescription }.joined(separator: ", ")))")
        }
        let bytes = report.timed("serialize") { () -> [UInt8] in
            var out: [UInt8] = []
            out.reserveCapacity(kept.count * 12 + 256)
            WriterText.append(MinBPELoader.signature + "\n" + patternLine + "\n", to: &out)
            WriterText.appendDecimal(specialLines.count, to: &out)
            out.append(0x0A)
            for (text, id) in specialLines.sorted(by: { $0.1 < $1.1 }) {
                WriterText.append(text, to: &out)
                out.append(0x20)
                WriterText.appendDecimal(id, to: &out)
                out.append(0x0A)
            }
            for m in kept {
                WriterText.appendDecimal(m.left, to: &out)
                out.append(0x20)
                WriterText.appendDecimal(m.right, to: &out)
                out.append(0x0A)
            }
            return out
        }
        return PreparedWrite(report: report, files: [(path, bytes)])
    }
}
