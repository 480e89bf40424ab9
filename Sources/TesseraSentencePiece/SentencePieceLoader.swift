// SentencePieceLoader: a `.model` file (a serialized ModelProto) → a `Tokenizer` that gives sentencepiece's ids.
//
// Pipeline: SentencePieceNormalizer (charsmap, whitespace rules, `▁`) → special tokens (the CONTROL pieces, e.g.
// `<s>`, `</s>`: sentencepiece never matches their text, which is Tessera's `.asText` policy; `.allow` encodes
// their text as the control id, `.raise` refuses it) → WholeTextPreTokenizer (sentencepiece segments the whole
// normalized text at once; the trainer's split_* options do not apply to encoding) → the model of
// trainer_spec.model_type (BPE, Unigram, Char, Word) → SentencePiecePostProcessor (BOS, when special tokens are
// asked for) and SentencePieceDecoder. User-defined symbols are ordinary pieces the models match inside text.
//
// Content sniffing: a ModelProto starts with field 1 (`pieces`, tag 0x0A) followed by the varint length of the
// first piece message, which itself starts with tag 0x0A (its `piece` string). minbpe's `.model` files are text
// starting with "minbpe v1", so the extension alone does not decide.
//
// Invariant: every problem in the file is a `SentencePieceError` naming the file and the field or byte offset.
// Complexity: O(file size) plus the tries (O(total piece bytes)).

import Foundation
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer

/// Loads SentencePiece models.
public enum SentencePieceLoader {
    /// Loads a `.model` file.
    /// - Throws: `SentencePieceError` naming `path`.
    public static func load(path: String) throws -> Tokenizer {
        try load(bytes: readFile(path), file: path)
    }

    /// Loads a serialized model held in memory; `file` names it in errors and gives the tokenizer its name.
    public static func load(bytes: [UInt8], file: String) throws -> Tokenizer {
        do {
            // The pieces go straight into packed arrays (no string and no struct per piece); the rest of the
            // model is decoded as usual.
            var pieces = SentencePiecePieceTable.PackedPieces(capacity: bytes.count / 16)
            let header = try bytes.withUnsafeBufferPointer { buffer in
                try ModelProto(buffer: buffer) { fields, _ in
                    pieces.append(text: buffer[fields.text ?? 0..<0], score: fields.score ?? 0, type: fields.type ?? .normal)
                }
            }
            let table = try SentencePiecePieceTable(pieces, spec: header.trainerSpec ?? TrainerSpec())
            return try tokenizer(table: table, header: header, name: stem(of: file), addsBOS: true, addsEOS: false)
        } catch let e as SentencePieceError {
            throw e.inFile(file)
        }
    }

    /// The decoded model of a `.model` file.
    public static func readModel(path: String) throws -> ModelProto {
        do { return try ModelProto(serialized: readFile(path)) } catch let e as SentencePieceError { throw e.inFile(path) }
    }

    /// Builds the tokenizer of a decoded model.
    /// - Parameters:
    ///   - addsBOS/addsEOS: what `encode(addSpecialTokens: true)` adds (default: BOS only, as Llama does).
    /// - Throws: `SentencePieceError` for pieces SentencePiece would reject (see SentencePiecePieceTable).
    public static func tokenizer(from proto: ModelProto, name: String, addsBOS: Bool = true, addsEOS: Bool = false) throws -> Tokenizer {
        try tokenizer(table: SentencePiecePieceTable(proto), header: proto, name: name, addsBOS: addsBOS, addsEOS: addsEOS)
    }

    /// The tokenizer of `table`, with the specs of `header` (its pieces are not read again).
    static func tokenizer(table: SentencePiecePieceTable, header proto: ModelProto, name: String, addsBOS: Bool,
                          addsEOS: Bool) throws -> Tokenizer {
        let trainer = proto.trainerSpec ?? TrainerSpec()
        let spec = proto.normalizerSpec ?? NormalizerSpec()
        let charsMap: PrecompiledCharsMap?
        do {
            charsMap = spec.precompiledCharsmap.isEmpty ? nil : try PrecompiledCharsMap(spec.precompiledCharsmap)
        }
        let normalizer = try SentencePieceNormalizer(charsMap: charsMap, userDefined: table.userDefined, spec: spec,
                                                     treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix)
        let model: any TokenModel
        switch trainer.modelType {
        case .bpe: model = SentencePieceBPEModel(table: table, spaceSymbol: spec.escapeWhitespaces ? [0xE2, 0x96, 0x81] : [0x20])
        case .unigram: model = SentencePieceUnigramModel(table: table)
        case .char: model = SentencePieceCharModel(table: table)
        case .word: model = SentencePieceWordModel(table: table)
        }
        let specials: SpecialTokens
        do {
            specials = try SpecialTokens(table.controlPieces.map { ($0.text, $0.id) }, vocabulary: table.vocabulary)
        } catch {
            throw SentencePieceError(.invalidValue, field: "pieces", "the control pieces cannot be special tokens: \(error)",
                                     fix: "give every control piece its own text")
        }
        // SentencePieceProcessor::bos_id / eos_id: the id of bos_piece / eos_piece when that piece is CONTROL.
        let control = { (piece: String) -> TokenID? in
            let id = Array(piece.utf8).withUnsafeBufferPointer { table.id(of: $0) }
            return table.types[Int(id)] == .control ? id : nil
        }
        let post = SentencePiecePostProcessor(bos: control(trainer.bosPiece), eos: control(trainer.eosPiece),
                                              addsBOS: addsBOS, addsEOS: addsEOS)
        return Tokenizer(name: name, normalizer: normalizer, preTokenizer: WholeTextPreTokenizer(), model: model,
                         specialTokens: specials, patternDescription: nil,
                         decoder: try SentencePieceDecoder(table: table, proto: proto), postProcessor: post)
    }

    /// Whether `head` (the first bytes of a file) looks like a serialized ModelProto: tag 0x0A (pieces), a
    /// varint length, then tag 0x0A (the first piece's text).
    public static func looksLikeModel<C: Collection<UInt8>>(_ head: C) -> Bool {
        var it = head.makeIterator()
        guard it.next() == 0x0A else { return false }
        var length: UInt64 = 0
        var shift: UInt64 = 0
        while let b = it.next() {
            length |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return length > 0 && it.next() == 0x0A }
            shift += 7
            if shift > 28 { return false }
        }
        return false
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SentencePieceError(.io, file: path, exists ? "cannot be read" : "no such file",
                                     fix: exists ? "check the file's permissions" : "check the path")
        }
        return [UInt8](data)
    }

    /// `dir/name.model` → `name`.
    static func stem(of path: String) -> String {
        var name = (path as NSString).lastPathComponent
        for suffix in [".gz", ".model"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        return name
    }
}
