// The entry points of BPE training: fresh training from counts, continued training from an existing
// tokenizer, and the result (`TrainedBPE`) that becomes a `Tokenizer` or a file.
//
// Continued training keeps every existing id and merge: each counted pre-token is first encoded with
// the existing tokenizer's model, those ids are the initial symbols, and new merges continue from
// there; a pair whose bytes already form a token reuses that token's id (no duplicate bytes), any
// other new token gets the next free id above the old vocabulary and its special tokens.
// Complexity: see `BPEMergeEngine`.

import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer

/// A trained byte-level BPE vocabulary.
public struct TrainedBPE: Sendable {
    /// Bytes of every ordinary id (index = id); the first 256 are the single bytes for fresh training.
    public var tokens: [[UInt8]]
    /// Merges in the order learned (merge-list semantics: earlier = higher priority). For continued
    /// training these follow the continued tokenizer's own merges (`baseMerges`).
    public var merges: [LearnedMerge]
    /// The merges of the tokenizer that was continued (empty for fresh training).
    public var baseMerges: [MergePair]
    /// Special tokens with their ids (after every ordinary id).
    public var specialTokens: [(text: String, id: TokenID)]
    /// What the counts were made with.
    public var source: CountSource
    /// For superword BPE: how many of `baseMerges` are stage 1 (ordinary) merges; nil otherwise.
    public var transitionMerges: Int?

    /// All merges, base first, as id pairs.
    public var mergePairs: [MergePair] { baseMerges + merges.map { MergePair($0.left, $0.right) } }

    /// The trained model with Hugging Face merge-list semantics.
    public func model() throws -> BPEModel {
        let vocabulary = try Vocabulary(entries: tokens.enumerated().compactMap { i, t in t.isEmpty ? nil : (t, TokenID(i)) })
        return try BPEModel(vocabulary: vocabulary, rule: .mergeList(mergePairs, ignoreMerges: false))
    }

    /// A complete tokenizer with `preTokenizer` (the one the counts were made with).
    public func tokenizer(name: String, preTokenizer: any PreTokenizer, normalizer: (any TextNormalizing)? = nil,
                          patternDescription: String? = nil) throws -> Tokenizer {
        let model = try model()
        let specials = try SpecialTokens(specialTokens, vocabulary: model.vocabulary)
        return Tokenizer(name: name, normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                         specialTokens: specials, patternDescription: patternDescription)
    }
}

/// Byte-level BPE training.
public enum BPETrainer {
    /// Trains from counted pre-tokens: 256 byte tokens, then merges until `vocabularySize` ids
    /// (including the special tokens) or until no pair is left.
    /// - Throws: `TrainingError.invalidParameter` when the size cannot hold the bytes and specials.
    public static func train(_ counts: PretokenCounts, parameters: BPETrainingParameters,
                             progress: ((MergeProgress) -> Void)? = nil) throws -> TrainedBPE {
        let base = 256 + parameters.specialTokens.count
        guard parameters.vocabularySize >= base else {
            throw TrainingError.invalidParameter(
                name: "--vocab-size", problem: "\(parameters.vocabularySize) is smaller than 256 bytes + \(parameters.specialTokens.count) special tokens",
                fix: "use at least \(base)")
        }
        try checkSpecials(parameters.specialTokens)
        let engine = BPEMergeEngine(baseTokens: BPEMergeEngine.byteAlphabet, maxTokenBytes: parameters.maxTokenBytes)
        var word: [UInt32] = []
        for i in 0..<counts.count {
            word.removeAll(keepingCapacity: true)
            for b in counts.key(i) { word.append(UInt32(b)) }
            engine.addWord(word, count: counts.counts[i])
        }
        engine.countPairs()
        engine.run(maxMerges: parameters.vocabularySize - base, minimumPairCount: parameters.minimumPairCount,
                   progress: progress)
        return finish(engine, baseMerges: [], parameters: parameters, source: counts.source)
    }

    /// Continues `tokenizer` (a byte-level BPE) on new counts, keeping all its ids and merges.
    /// `parameters.vocabularySize` is the new total, including the old ids and all special tokens.
    /// - Throws: `TrainingError.cannotContinue` for a rank-order (tiktoken) model without merges.
    public static func continueTraining(_ tokenizer: Tokenizer, counts: PretokenCounts, parameters: BPETrainingParameters,
                                        progress: ((MergeProgress) -> Void)? = nil) throws -> TrainedBPE {
        guard let model = tokenizer.bpeModel else {
            throw TrainingError.cannotContinue("\(tokenizer.name) is not a byte-level BPE tokenizer",
                                               fix: "continue a GPT-2-style tokenizer (tokenizer.json, vocab.json + merges.txt, GGUF, .tiktoken)")
        }
        guard case .mergeList(let baseMerges, _) = model.rule else {
            throw TrainingError.cannotContinue("\(tokenizer.name) has ranks but no merge list",
                                               fix: "convert it to a merge list first (`tessera convert … --to gpt2`)")
        }
        try checkSpecials(parameters.specialTokens)
        let vocabulary = model.vocabulary
        var baseTokens = [[UInt8]](repeating: [], count: vocabulary.idUpperBound)
        for id in 0..<vocabulary.idUpperBound { baseTokens[id] = vocabulary.bytes(of: TokenID(id)) ?? [] }
        // New ids start above the old ordinary and special ids.
        let firstFree = TokenID(tokenizer.idUpperBound)
        let oldSpecials = tokenizer.specialTokens.entries.map { (String(decoding: $0.bytes, as: UTF8.self), $0.id) }
        let newSpecials = parameters.specialTokens.filter { s in !oldSpecials.contains { $0.0 == s } }
        let reserved = Int(firstFree) + newSpecials.count
        guard parameters.vocabularySize >= reserved else {
            throw TrainingError.invalidParameter(name: "--vocab-size",
                                                 problem: "\(parameters.vocabularySize) is not above the existing \(reserved) ids",
                                                 fix: "give a total size larger than \(reserved)")
        }
        let engine = BPEMergeEngine(baseTokens: baseTokens, nextID: firstFree, maxTokenBytes: parameters.maxTokenBytes)
        var ids: [TokenID] = []
        for i in 0..<counts.count {
            ids.removeAll(keepingCapacity: true)
            counts.key(i).withUnsafeBufferPointer { model.encode(piece: $0, into: &ids) }
            engine.addWord(ids, count: counts.counts[i])
        }
        engine.countPairs()
        engine.run(maxMerges: parameters.vocabularySize - reserved, minimumPairCount: parameters.minimumPairCount,
                   progress: progress)
        var result = finish(engine, baseMerges: baseMerges, parameters: BPETrainingParameters(
            vocabularySize: parameters.vocabularySize, minimumPairCount: parameters.minimumPairCount,
            maxTokenBytes: parameters.maxTokenBytes, specialTokens: newSpecials), source: counts.source)
        result.specialTokens = oldSpecials + result.specialTokens
        return result
    }

    static func checkSpecials(_ specials: [String]) throws {
        var seen = Set<String>()
        for s in specials {
            if s.isEmpty {
                throw TrainingError.invalidParameter(name: "--special-tokens", problem: "a special token is empty", fix: "remove it")
            }
            if !seen.insert(s).inserted {
                throw TrainingError.invalidParameter(name: "--special-tokens", problem: "\(s.debugDescription) is given twice",
                                                     fix: "list each special token once")
            }
        }
    }

    static func finish(_ engine: BPEMergeEngine, baseMerges: [MergePair], parameters: BPETrainingParameters,
                       source: CountSource) -> TrainedBPE {
        let tokens = engine.tokenBytes
        var specials: [(String, TokenID)] = []
        var next = TokenID(tokens.count)
        for s in parameters.specialTokens {
            specials.append((s, next))
            next += 1
        }
        return TrainedBPE(tokens: tokens, merges: engine.merges, baseMerges: baseMerges, specialTokens: specials, source: source,
                          transitionMerges: nil)
    }
}
