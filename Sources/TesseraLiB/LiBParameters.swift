// The knobs of the LiB learner (Yang, Frank & van den Bosch 2020; the 2023 reference `LiB.py`, class
// `Model`), with the reference's defaults, plus the additions Tessera makes: a vocabulary-size target,
// the step budget for reaching it, and the character guarantee that is always on.

/// Parameters of `LiBLearner` / `LiBTrainer`. Defaults are those of the 2023 reference.
public struct LiBParameters: Sendable, Equatable {
    /// α (`in_rate`): chance of proposing the previous chunk + the current one as a new chunk.
    public var inRate: Double = 0.25
    /// ω (`out_rate`): fraction of the lexicon tail put on probation after each step.
    public var outRate: Double = 0.0001
    /// τ0 (`life`): probation length in steps.
    public var life: Int = 10
    /// Δ (`update_rate`): a rank move spans ⌊rank·Δ⌋ + 1 places.
    public var updateRate: Double = 0.1
    /// `max_chunk_len`: chunks longer than this many characters are never memorized (nil: no cap).
    public var maxChunkCharacters: Int?
    /// `inspect_context`: a chunk on probation seen again in the same context grows into that context
    /// instead of being released.
    public var inspectContext: Bool = true
    /// Sentences per step (`article_length_max` of `learn`; the reference's default is 500, its demo uses 200).
    public var sentencesPerStep: Int = 500
    /// Seed of Python's `random.seed` (the reference's `random_seed`).
    public var seed: UInt64 = 0

    /// The reference's defaults.
    public init() {}

    /// The settings of the reference's Quick_Demo (α 0.25, ω 0.01, τ0 3, Δ 0.1, 200 sentences a step).
    public static var demo: LiBParameters {
        var p = LiBParameters()
        p.outRate = 0.01
        p.life = 3
        p.updateRate = 0.1
        p.sentencesPerStep = 200
        return p
    }

    /// Checks the ranges the algorithm needs; throws `LiBError.invalidParameter` naming the parameter.
    public func validate() throws {
        if !(inRate >= 0 && inRate <= 1) { throw LiBError.invalidParameter("in-rate (α) must be in [0, 1], got \(inRate)") }
        if !(outRate >= 0 && outRate <= 1) { throw LiBError.invalidParameter("out-rate (ω) must be in [0, 1], got \(outRate)") }
        if life < 1 { throw LiBError.invalidParameter("life (τ0) must be at least 1, got \(life)") }
        if !(updateRate >= 0 && updateRate <= 1) {
            throw LiBError.invalidParameter("update-rate (Δ) must be in [0, 1], got \(updateRate)")
        }
        if let m = maxChunkCharacters, m < 1 { throw LiBError.invalidParameter("max-chunk-chars must be at least 1, got \(m)") }
        if sentencesPerStep < 1 { throw LiBError.invalidParameter("sentences per step must be at least 1, got \(sentencesPerStep)") }
    }
}
