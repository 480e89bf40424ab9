// GPT2Writer: writes the GPT-2 / Hugging Face "slow tokenizer" pair `vocab.json` + `merges.txt` into a folder,
// in the form Hugging Face `tokenizers` saves them (models/bpe/serialization + model.rs `save`):
// - vocab.json: one compact JSON object, token string → id, in id order, no whitespace and no final newline;
//   ordinary tokens in GPT-2's byte-level alphabet (`ByteLevelAlphabet`), special tokens as their literal text
//   (GPT-2's own `<|endoftext|>` is such an entry); strings escaped as serde_json does (`WriterText`);
// - merges.txt: the header line (default `#version: 0.2`; a GPT-2 source's own header is carried over by
//   `tessera convert`), then `left SP right LF` per merge in priority order.
// Read → write of the committed vocabularies/gpt2 files is byte-identical (test `gpt2ReadWriteIdentical`).
//
// What the pair cannot hold goes to the sidecar `encoding.json` in the same folder (`GPT2Loader` reads it;
// other readers do not): a split pattern other than GPT-2's and a Unicode normalizer (and then the name too;
// otherwise the folder's name is the tokenizer's name, as GPT2Loader reads it). A rank-order source gets the merges recovered from its ranks (docs/algorithms/merge-recovery.md).
//
// Invariant: `GPT2Loader` reads the folder back to the same vocabulary, ids, merges, specials and pattern,
// or the report lists what differs. Complexity: O(vocabulary + merges) plus merge recovery.

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer

/// Writes GPT-2 vocab.json + merges.txt folders.
public struct GPT2Writer: TokenizerWriting {
    public let format = "gpt2"
    public let aliases = ["vocab.json+merges.txt", "vocab+merges", "gpt2-files"]
    public let target = "a folder (vocab.json, merges.txt, and encoding.json when the pair cannot hold everything)"

    /// The header GPT-2's merges.txt and Hugging Face's `save` start with.
    public static let defaultMergesHeader = "#version: 0.2"

    public init() {}

    public func prepare(_ tokenizer: Tokenizer, for path: String, options: WriteOptions) throws -> PreparedWrite {
        let export = try BPEExport(tokenizer, format: format)
        var report = ConversionReport(format: format)
        export.reportPipelineExtras(&report)
        let vocabulary = export.vocabulary
        let merges = export.mergeList(options, &report)

        // Tokens no merge touches read back as added tokens (GPT2Loader's rule, the only one the pair allows).
        var reachable = [Bool](repeating: false, count: vocabulary.idUpperBound)
        for id in vocabulary.idOfByte where Int(id) < reachable.count { reachable[Int(id)] = true }
        for (p, r) in zip(merges.pairs, merges.results) {
            reachable[Int(p.left)] = true
            reachable[Int(p.right)] = true
            if Int(r) < reachable.count { reachable[Int(r)] = true }
        }
        let stranded = (0..<vocabulary.idUpperBound).filter { vocabulary.contains(TokenID($0)) && !reachable[$0] }
        if !stranded.isEmpty && merges.unreachable.isEmpty {
            report.lost("\(stranded.count) ordinary token(s) are produced and used by no merge (first \(stranded.prefix(5).map { "\($0) \(export.show(TokenID($0)))" }.joined(separator: ", "))); "
                        + "readers of vocab.json + merges.txt take such entries for added tokens")
        }

        // vocab.json keys, in id order.
        var keyOfID: [TokenID: [UInt8]] = [:]
        keyOfID.reserveCapacity(vocabulary.count + export.specials.count)
        var taken = Set<[UInt8]>()
        taken.reserveCapacity(vocabulary.count)
        for id in 0..<vocabulary.idUpperBound {
            guard let bytes = vocabulary.bytes(of: TokenID(id)) else { continue }
            let key = Array(ByteLevelAlphabet.encode(bytes).utf8)
            keyOfID[TokenID(id)] = key
            taken.insert(key)
        }
        var skipped: [SpecialToken] = []
        for s in export.specials {
            let key = Array(s.text.utf8)
            // GPT2Loader decodes an alphabet-only key to bytes first, so those bytes must not be a token either.
            let decoded = try? ByteLevelAlphabet.decode(s.text)
            if taken.contains(key) || (decoded.flatMap { vocabulary.id(of: $0) } != nil) {
                skipped.append(s)
                continue
            }
            keyOfID[s.id] = key
            taken.insert(key)
        }
        if !skipped.isEmpty {
            report.lost("\(skipped.count) special token(s) cannot be vocab.json entries because an ordinary token already has "
                        + "that string (\(skipped.prefix(3).map { "\($0.text.debugDescription) \($0.id)" }.joined(separator: ", "))); they are dropped")
        } else if !export.specials.isEmpty {
            report.note("\(export.specials.count) special token(s) are vocab.json entries that no merge produces, as GPT-2's <|endoftext|>; "
                        + "readers that do not infer added tokens from that need them declared (tokenizer_config.json)")
        }

        // Sidecar: what the pair cannot say.
        var sidecarPattern: String?
        switch export.pattern {
        case .single(.builtin(.gpt2)): break
        case .single(let p):
            sidecarPattern = p.source
            report.sidecar("the split pattern is in encoding.json: vocab.json + merges.txt always mean GPT-2's pattern to other readers")
        case .wholeText:
            report.lost("the tokenizer does not split text; GPT-2 files always split with GPT-2's pattern")
        case .composite(let description):
            report.lost("the pre-tokenizer (\(description)) is not one regex; GPT-2 files always split with GPT-2's pattern")
        }
        let normalizer = export.sidecarNormalizer(&report, where: "encoding.json")
        let folderName = (path as NSString).lastPathComponent
        let needsSidecar = sidecarPattern != nil || normalizer != nil
        if tokenizer.name != folderName && !needsSidecar {
            report.note("the name \(tokenizer.name.debugDescription) is not stored: GPT-2 files are named by their folder "
                        + "(\(folderName.debugDescription))")
        }

        let vocabBytes = report.timed("serialize vocab.json") { () -> [UInt8] in
            var out: [UInt8] = [0x7B]
            out.reserveCapacity(vocabulary.count * 14)
            var first = true
            for id in keyOfID.keys.sorted() {
                guard let key = keyOfID[id] else { continue }
                if !first { out.append(0x2C) }
                first = false
                WriterText.appendJSONString(key, to: &out)
                out.append(0x3A)
                WriterText.appendDecimal(id, to: &out)
            }
            out.append(0x7D)
            return out
        }
        let mergesBytes = report.timed("serialize merges.txt") { () -> [UInt8] in
            var out: [UInt8] = []
            out.reserveCapacity(merges.pairs.count * 12)
            WriterText.append(options.mergesHeader ?? Self.defaultMergesHeader, to: &out)
            out.append(0x0A)
            var token: [UInt8] = []
            for m in merges.pairs {
                for (i, id) in [m.left, m.right].enumerated() {
                    token.removeAll(keepingCapacity: true)
                    _ = vocabulary.appendBytes(of: id, to: &token)
                    if i == 1 { out.append(0x20) }
                    for b in token { appendAlphabet(b, to: &out) }
                }
                out.append(0x0A)
            }
            return out
        }

        let vocabPath = (path as NSString).appendingPathComponent("vocab.json")
        let mergesPath = (path as NSString).appendingPathComponent("merges.txt")
        let sidecarPath = GPT2Loader.sidecarPath(forVocab: vocabPath)
        var files = [(path: vocabPath, bytes: vocabBytes), (path: mergesPath, bytes: mergesBytes)]
        if needsSidecar {
            files.append((sidecarPath, TiktokenWriter.sidecar(name: tokenizer.name, pattern: sidecarPattern, specials: nil,
                                                              normalizer: normalizer, nVocab: nil)))
        }
        return PreparedWrite(report: report, files: files, folder: path, remove: needsSidecar ? [] : [sidecarPath])
    }

    /// Appends the UTF-8 of the alphabet character standing for `byte`.
    @inline(__always)
    func appendAlphabet(_ byte: UInt8, to out: inout [UInt8]) {
        let v = ByteLevelAlphabet.scalarOfByte[Int(byte)]
        if v < 0x80 {
            out.append(UInt8(truncatingIfNeeded: v))
        } else {
            out.append(0xC0 | UInt8(truncatingIfNeeded: v >> 6))
            out.append(0x80 | UInt8(truncatingIfNeeded: v & 0x3F))
        }
    }
}
