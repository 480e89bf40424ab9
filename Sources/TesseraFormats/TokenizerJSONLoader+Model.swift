// The BPE model of a tokenizer.json: `BPEModel` over raw bytes when the file is byte-level (the fast path), or
// `CharacterBPEModel` over the token strings otherwise. Both read `model.vocab` / `model.merges` straight from
// the packed storage of the typed model (no `String` per token).
//
// Merge-list details that follow tokenizers: legacy merge strings starting with "#version" are skipped (its
// `convert_merges_to_hashmap`), and a pair listed twice counts at its last position (its merge map keeps the
// last insertion).

import TesseraBPE
import TesseraSentencePiece
import TesseraTokenizer

extension BuildContext {
    /// The WordPiece model: tokens as their UTF-8 text; `unk_token` must be in the vocabulary.
    func wordPieceModel(_ model: TokenizerJSON.WordPieceModel) throws -> WordPieceModel {
        let vocabulary = try makeVocabulary(packed: model.vocab.arena, ends: model.vocab.ends, ids: model.vocab.ids, vocab: model.vocab)
        let unknown = try unknownID(model.unkToken ?? "[UNK]", in: vocabulary)
        return WordPieceModel(vocabulary: vocabulary, unknownID: unknown, continuationPrefix: Array((model.continuingSubwordPrefix ?? "##").utf8),
                              maxCharactersPerWord: model.maxInputCharsPerWord ?? 100)
    }

    /// The WordLevel model; `unk_token` must be in the vocabulary.
    func wordLevelModel(_ model: TokenizerJSON.WordLevelModel) throws -> WordLevelModel {
        let vocabulary = try makeVocabulary(packed: model.vocab.arena, ends: model.vocab.ends, ids: model.vocab.ids, vocab: model.vocab)
        guard let unk = model.unkToken else {
            throw FormatError(.invalidValue, file: file, at: .field("model.unk_token"), "the WordLevel model has no unk_token",
                              fix: "set unk_token to a vocabulary entry (tokenizers fails on any word outside the vocabulary without one)")
        }
        return WordLevelModel(vocabulary: vocabulary, unknownID: try unknownID(unk, in: vocabulary))
    }

    private func unknownID(_ token: String, in vocabulary: Vocabulary) throws -> TokenID {
        guard let id = vocabulary.id(of: Array(token.utf8)) else {
            throw FormatError(.invalidValue, file: file, at: .field("model.unk_token"), "the unknown token \(token.debugDescription) is not in model.vocab",
                              fix: "add it to the vocabulary or name one that is there (tokenizers would fail on unknown words)")
        }
        return id
    }

    /// The Unigram model (`HuggingFaceUnigramModel`): pieces as their UTF-8 text, ids = positions.
    func unigramModel(_ model: TokenizerJSON.UnigramModel) throws -> HuggingFaceUnigramModel {
        let pieces = (0..<model.vocab.count).map { Array(model.vocab.pieceBytes(at: $0)) }
        do {
            return try HuggingFaceUnigramModel(pieces: pieces, scores: model.vocab.scores, unkID: model.unkID,
                                               byteFallback: model.byteFallback ?? false)
        } catch let e as SentencePieceError {
            throw FormatError(.invalidValue, file: file, at: .field(e.field ?? "model"), e.problem, fix: e.fix)
        }
    }

    /// The byte-level model, or nil when the file does not qualify: a single ByteLevel pre-tokenizer stage that
    /// ends the pre-tokenizer, no ByteLevel normalizer, no subword prefix or suffix, and a vocabulary (added
    /// tokens aside) in GPT-2's byte alphabet that has all 256 single bytes. `added` ids leave the vocabulary.
    func byteLevelModel(_ model: TokenizerJSON.Model, steps: [PreStep], normalizer: HuggingFaceNormalizer?,
                        excluding added: Set<TokenID>) throws -> BPEModel? {
        let byteLevelSteps = steps.filter { if case .byteLevel = $0 { return true } else { return false } }
        guard byteLevelSteps.count == 1, case .byteLevel? = steps.last else { return nil }
        if let normalizer, normalizer.containsByteLevel { return nil }
        if !(model.continuingSubwordPrefix ?? "").isEmpty || !(model.endOfWordSuffix ?? "").isEmpty { return nil }

        // Token strings → bytes, straight from the packed vocabulary.
        var packed: [UInt8] = []
        packed.reserveCapacity(model.vocab.arena.count)
        var ends: [UInt32] = []
        var ids: [TokenID] = []
        ends.reserveCapacity(model.vocab.count)
        ids.reserveCapacity(model.vocab.count)
        var inAlphabet = true
        model.vocab.forEachEntry { _, token, id in
            guard inAlphabet, !added.contains(id) else { return }
            if ByteLevelAlphabet.decodeUTF8(token, into: &packed) != nil { inAlphabet = false; return }
            ends.append(UInt32(packed.count))
            ids.append(id)
        }
        guard inAlphabet else { return nil }
        let vocabulary = try makeVocabulary(packed: packed, ends: ends, ids: ids, vocab: model.vocab)
        guard !vocabulary.idOfByte.contains(.max) else { return nil }

        var spans: [MergeSpan] = []
        var originalIndex: [Int] = []
        spans.reserveCapacity(model.merges.count)
        originalIndex.reserveCapacity(model.merges.count)
        for i in 0..<model.merges.count {
            guard let sides = try mergeSides(model.merges, i) else { continue }
            spans.append(MergeSpan(left: sides.left, right: sides.right))
            originalIndex.append(i)
        }
        var (pairs, results) = try model.merges.withArena { arena in
            try ByteLevelBPEBuilder.resolveMerges(spans, in: arena, vocabulary: vocabulary, file: file,
                                                  location: { .field("model.merges[\(originalIndex[$0])]") })
        }
        if let keep = Self.lastOccurrences(pairs) {
            pairs = keep.map { pairs[$0] }
            results = keep.map { results[$0] }
        }
        return try ByteLevelBPEBuilder.model(vocabulary, pairs: pairs, results: results, ignoreMerges: model.ignoreMerges ?? false,
                                             file: file)
    }

    /// The character-level model over the token strings (all of `model.vocab`, added tokens included, as in
    /// tokenizers).
    func characterModel(_ model: TokenizerJSON.Model) throws -> CharacterBPEModel {
        let vocabulary = try makeVocabulary(packed: model.vocab.arena, ends: model.vocab.ends, ids: model.vocab.ids, vocab: model.vocab)
        var pairs: [MergePair] = []
        var originalIndex: [Int] = []
        pairs.reserveCapacity(model.merges.count)
        try model.merges.withArena { arena in
            for i in 0..<model.merges.count {
                guard let sides = try mergeSides(model.merges, i) else { continue }
                let l = UnsafeBufferPointer(rebasing: arena[sides.left])
                let r = UnsafeBufferPointer(rebasing: arena[sides.right])
                guard let left = vocabulary.id(of: l) else {
                    throw ByteLevelBPEBuilder.unknown(String(decoding: l, as: UTF8.self), file: file, at: .field("model.merges[\(i)]"))
                }
                guard let right = vocabulary.id(of: r) else {
                    throw ByteLevelBPEBuilder.unknown(String(decoding: r, as: UTF8.self), file: file, at: .field("model.merges[\(i)]"))
                }
                pairs.append(MergePair(left, right))
                originalIndex.append(i)
            }
        }
        let options = CharacterBPEModel.Options(unknownToken: model.unkToken, fuseUnknown: model.fuseUnk ?? false,
                                                byteFallback: model.byteFallback ?? false,
                                                continuingSubwordPrefix: model.continuingSubwordPrefix,
                                                endOfWordSuffix: model.endOfWordSuffix, ignoreMerges: model.ignoreMerges ?? false)
        do {
            return try CharacterBPEModel(vocabulary: vocabulary, merges: pairs, options: options)
        } catch BPEError.mergeResultNotInVocabulary(let index, let bytes) {
            throw invalid("model.merges[\(originalIndex[index])]",
                          "the merge gives \(String(decoding: bytes, as: UTF8.self).debugDescription), which is not in the vocabulary",
                          "every merge result must be a vocabulary token; the merges and the vocabulary do not belong together")
        } catch BPEError.missingToken(let role, let text) {
            throw invalid("model.unk_token", "the \(role) \(text.debugDescription) is not in model.vocab",
                          "add it to the vocabulary or set unk_token to null")
        } catch {
            throw Assembly.bpeError(error, file: file, at: .field("model.merges"))
        }
    }

    /// The byte ranges of merge `i`'s two sides, nil for a legacy `#version` line, or an error for a malformed entry.
    func mergeSides(_ merges: TokenizerJSON.Merges, _ i: Int) throws -> (left: Range<Int>, right: Range<Int>)? {
        if merges.shape == .legacy && merges.arena[merges.start(i)..<Int(merges.ends[i])].starts(with: "#version".utf8) { return nil }
        guard let sides = merges.sides(at: i), !sides.left.isEmpty, !sides.right.isEmpty else {
            if merges.shape == .legacy {
                throw FormatError(.syntax, file: file, at: .field("model.merges[\(i)]"),
                                  "the merge \(merges.text(at: i).debugDescription) is not two tokens separated by one space",
                                  fix: "each legacy merge is \"left right\"; a token containing a space needs the pair shape [\"left\", \"right\"]")
            }
            throw FormatError(.syntax, file: file, at: .field("model.merges[\(i)]"), "the merge has an empty side",
                              fix: "write it as [\"left\", \"right\"] with two non-empty tokens")
        }
        return sides
    }

    /// A vocabulary from packed token bytes; errors name the `model.vocab` entry.
    func makeVocabulary(packed: [UInt8], ends: [UInt32], ids: [TokenID], vocab: TokenizerJSON.Vocab) throws -> Vocabulary {
        func location(_ id: TokenID) -> FormatError.Location {
            if let i = vocab.ids.firstIndex(of: id) { return .field("model.vocab[\(vocab.token(at: i).debugDescription)]") }
            return .field("model.vocab")
        }
        let contiguous = ids.enumerated().allSatisfy { TokenID($0.offset) == $0.element }
        return try ByteLevelBPEBuilder.vocabulary(file: file, location: location) {
            if contiguous { return try Vocabulary(packed: packed, ends: ends) }
            var entries: [(bytes: [UInt8], id: TokenID)] = []
            entries.reserveCapacity(ids.count)
            var start = 0
            for (k, end) in ends.enumerated() {
                entries.append((Array(packed[start..<Int(end)]), ids[k]))
                start = Int(end)
            }
            return try Vocabulary(entries: entries)
        }
    }

    /// The indices of `pairs` to keep when a pair is repeated (tokenizers ranks a repeated pair at its last
    /// position, so the earlier occurrences go), or nil when no pair is repeated. Open addressing: O(n).
    static func lastOccurrences(_ pairs: [MergePair]) -> [Int]? {
        var capacity = 16
        while capacity < pairs.count * 2 { capacity <<= 1 }
        var table = [UInt64](repeating: .max, count: capacity)
        var keep = [Bool](repeating: true, count: pairs.count)
        var duplicates = false
        for i in pairs.indices.reversed() {
            let key = UInt64(pairs[i].left) << 32 | UInt64(pairs[i].right)
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - capacity.trailingZeroBitCount))
            while table[slot] != .max && table[slot] != key { slot = (slot + 1) & (capacity - 1) }
            if table[slot] == key { keep[i] = false; duplicates = true } else { table[slot] = key }
        }
        return duplicates ? pairs.indices.filter { keep[$0] } : nil
    }
}

extension HuggingFaceNormalizer {
    /// Whether a ByteLevel normalizer is part of this one.
    var containsByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case .sequence(let stages): return stages.contains { $0.containsByteLevel }
        default: return false
        }
    }
}
