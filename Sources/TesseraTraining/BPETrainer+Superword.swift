// Superword BPE (SuperBPE: Liu, Hayase, Hofmann, Oh, Smith & Choi, COLM 2025): ordinary BPE up to a
// transition vocabulary size t, then training continues on the same text pre-tokenized by
// `SuperwordPreTokenizer` (pieces span words), so later merges may cross spaces, creating tokens such
// as " of the". A token may hold at most `maxWordsPerToken` words (the paper's best setting: 4).
//
// Stage 2 starts from the stage-1 segmentation: every stage-2 piece is first encoded with the stage-1
// merges (merge-list semantics), and those ids are its initial symbols; the stage-1 merges are kept
// in front of the new ones, so the result is one merge list for a tokenizer whose pre-tokenizer is
// the superword one.
// Words in a token: the number of word starts, i.e. non-space bytes at the start or after a space
// (" of the" → 2, "ing the" → 2, "the " → 1).
// Complexity: stage 1 as `train`; stage 2 adds one encode per distinct stage-2 piece.

import TesseraBPE

extension BPETrainer {
    /// Trains superword BPE.
    /// - Parameters:
    ///   - stage1: counts under the ordinary pre-tokenizer (e.g. GPT-2's regex).
    ///   - stage2: counts of the same text under `SuperwordPreTokenizer`.
    ///   - transitionSize: ids (256 bytes + stage-1 merges) after which merges may cross spaces.
    ///   - maxWordsPerToken: the words-per-token limit of stage 2.
    ///   - parameters: the final size (including specials) and the other limits.
    public static func trainSuperword(stage1: PretokenCounts, stage2: PretokenCounts, transitionSize: Int,
                                      maxWordsPerToken: Int = 4, parameters: BPETrainingParameters,
                                      progress: ((MergeProgress) -> Void)? = nil) throws -> TrainedBPE {
        let finalOrdinary = parameters.vocabularySize - parameters.specialTokens.count
        guard transitionSize >= 256, transitionSize <= finalOrdinary else {
            throw TrainingError.invalidParameter(
                name: "--superword-transition", problem: "\(transitionSize) is outside 256…\(finalOrdinary) (the final size without specials)",
                fix: "choose a transition size between 256 and --vocab-size minus the special tokens")
        }
        guard maxWordsPerToken >= 1 else {
            throw TrainingError.invalidParameter(name: "--max-words-per-token", problem: "must be at least 1", fix: "use 4 (SuperBPE's setting)")
        }
        try checkSpecials(parameters.specialTokens)
        let first = try train(stage1, parameters: BPETrainingParameters(
            vocabularySize: transitionSize, minimumPairCount: parameters.minimumPairCount, maxTokenBytes: parameters.maxTokenBytes),
            progress: progress)
        let model = try first.model()
        let engine = BPEMergeEngine(baseTokens: first.tokens, maxTokenBytes: parameters.maxTokenBytes) { a, b in
            wordCount(a, b) <= maxWordsPerToken
        }
        var ids: [TokenID] = []
        for i in 0..<stage2.count {
            ids.removeAll(keepingCapacity: true)
            stage2.key(i).withUnsafeBufferPointer { model.encode(piece: $0, into: &ids) }
            engine.addWord(ids, count: stage2.counts[i])
        }
        engine.countPairs()
        engine.run(maxMerges: finalOrdinary - first.tokens.count, minimumPairCount: parameters.minimumPairCount, progress: progress)
        var result = finish(engine, baseMerges: first.mergePairs, parameters: parameters, source: stage2.source)
        result.transitionMerges = first.merges.count
        return result
    }

    /// Words in the concatenation of `a` and `b` (word starts: a non-space byte first or after a space).
    static func wordCount(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        var words = 0
        var previousIsSpace = true
        for x in a {
            if x != 0x20 && previousIsSpace { words += 1 }
            previousIsSpace = x == 0x20
        }
        for x in b {
            if x != 0x20 && previousIsSpace { words += 1 }
            previousIsSpace = x == 0x20
        }
        return words
    }
}
