// `tessera train` is a group: `bpe` (the default, so `tessera train CORPUS --vocab-size N -o OUT` keeps
// working) and `lib`, the LiB ("Less-is-Better") lexicon learner, which writes a model file that
// `tessera encode --tokenizer` reads.

import ArgumentParser
import Foundation
import TesseraFormats
import TesseraLiB

struct TrainGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a tokenizer: byte-level BPE (default) or a LiB lexicon (`train lib`).",
        subcommands: [TrainCommand.self, TrainLiBCommand.self],
        defaultSubcommand: TrainCommand.self)
}

enum LiBPreset: String, ExpressibleByArgument, CaseIterable {
    /// The 2023 reference's defaults: α 0.25, ω 0.0001, τ0 10, Δ 0.1, 500 sentences a step.
    case reference
    /// The reference's Quick_Demo: α 0.25, ω 0.01, τ0 3, Δ 0.1, 200 sentences a step.
    case demo
}

struct TrainLiBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lib",
        abstract: "Learn a LiB (Less-is-Better) lexicon: multi-word chunks, ids = ranks.",
        discussion: """
        Reads the corpus line by line (one line = one sentence), --sentences-per-step lines per step, in order, \
        starting again from the first line after the last. The learner is the 2023 reference's (its random \
        stream included, so --seed matches its random_seed). At the end, chunks still on probation are dropped \
        and any forgotten character is put back, so every character of the corpus stays encodable. With \
        --vocab-size, training continues past --steps (up to --max-steps) until the lexicon is large enough, \
        and the lowest-ranked chunks are then dropped so that exactly that many remain.
        """)

    @Argument(help: "Corpus files or folders ('-' for stdin), plain or gzip; one sentence per line.")
    var paths: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Output model file (e.g. lib.model).")
    var output: String

    @Option(name: .long, help: "Steps (articles) to read.")
    var steps: Int

    @Option(name: .long, help: "Exact number of chunks in the lexicon (default: whatever the learner keeps).")
    var vocabSize: Int?

    @Option(name: .long, help: "With --vocab-size: the most steps to read while the lexicon is too small (default 4 × --steps).")
    var maxSteps: Int?

    @Option(name: .long, help: "Parameter defaults: reference (α .25, ω .0001, τ0 10, Δ .1, 500 sentences) or demo (ω .01, τ0 3, 200 sentences).")
    var preset: LiBPreset = .reference

    @Option(name: .long, help: "Sentences (lines) per step.")
    var sentencesPerStep: Int?

    @Option(name: .long, help: "α: chance of proposing the previous chunk + the current one.")
    var inRate: Double?

    @Option(name: .long, help: "ω: fraction of the lexicon tail put on probation after each step.")
    var outRate: Double?

    @Option(name: .long, help: "τ0: probation length in steps.")
    var life: Int?

    @Option(name: .long, help: "Δ: a rank move spans ⌊rank·Δ⌋ + 1 places.")
    var updateRate: Double?

    @Option(name: .long, help: "Never memorize chunks longer than this many characters.")
    var maxChunkChars: Int?

    @Flag(name: .long, help: "Release chunks from probation without looking at their context.")
    var noInspectContext = false

    @Flag(name: .long, help: "Encode with the deeper split (chunks into lower-ranked parts, two levels).")
    var deeper = false

    @Option(name: .long, help: "Seed (Python's random.seed value of the reference).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Progress on stderr: auto (a bar on a terminal), bar, json, none.")
    var progress: ProgressMode = .auto

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let vocabSize, vocabSize < 1 { throw ValidationError("--vocab-size must be at least 1") }
        if maxSteps != nil && vocabSize == nil { throw ValidationError("--max-steps only applies with --vocab-size") }
        if let maxSteps, maxSteps < steps { throw ValidationError("--max-steps must be at least --steps") }
    }

    var parameters: LiBParameters {
        var p = preset == .demo ? LiBParameters.demo : LiBParameters()
        if let sentencesPerStep { p.sentencesPerStep = sentencesPerStep }
        if let inRate { p.inRate = inRate }
        if let outRate { p.outRate = outRate }
        if let life { p.life = life }
        if let updateRate { p.updateRate = updateRate }
        p.maxChunkCharacters = maxChunkChars
        p.inspectContext = !noInspectContext
        p.seed = seed
        return p
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let items = try Inputs.expand(paths)
        let reader = LineArticleReader(paths: items.map(\.name))
        let parameters = self.parameters
        let report = TrainingProgress(progress)
        defer { report.finish() }
        let result: LiBTrainingResult
        do {
            result = try LiBTrainer.train(parameters: parameters, steps: steps, vocabularySize: vocabSize, maxSteps: maxSteps,
                                          nextArticle: { try reader.next(parameters.sentencesPerStep, into: &$0) },
                                          progress: { report.lib($0) })
        } catch { throw CLIError("\(error)") }
        report.finish()
        let trained = clock.now - start
        let comments = [
            "LiB lexicon trained by tessera train lib (Yang, Frank & van den Bosch 2020; 2023 reference algorithm)",
            "corpus " + items.map(\.name).joined(separator: " "),
            "steps \(result.steps) sentences-per-step \(parameters.sentencesPerStep) sentences-read \(result.sentences)",
            "in-rate \(parameters.inRate) out-rate \(parameters.outRate) life \(parameters.life) update-rate \(parameters.updateRate)"
                + " max-chunk-chars \(parameters.maxChunkCharacters.map(String.init) ?? "none")"
                + " inspect-context \(parameters.inspectContext ? 1 : 0) seed \(parameters.seed)",
            "size after clean-up \(result.sizeAfterCleanup), characters \(result.characters) (restored \(result.restoredCharacters))"
                + (vocabSize.map { ", pruned to \($0)" } ?? ""),
        ]
        do {
            try LiBModelFile.write(LiBModelFile.Contents(lexicon: result.lexicon, deeper: deeper, comments: comments), to: output)
        } catch { throw CLIError("cannot write \(output): \(error)") }
        let seconds = Double(trained.components.seconds) + Double(trained.components.attoseconds) / 1e18
        let out = OutputBuffer()
        out.write("trained a LiB lexicon of \(result.lexicon.count) chunks (\(result.characters) characters, "
                  + "\(result.restoredCharacters) restored; \(result.sizeAfterCleanup) after clean-up) in \(result.steps) steps, "
                  + "\(result.sentences) sentences, " + String(format: "%.3f s\n", seconds))
        out.write("  wrote \(output)\n")
        out.flush()
    }
}

extension TrainingProgress {
    func lib(_ p: LiBProgress) {
        if mode == .json {
            emit("{\"phase\":\"lib\",\"step\":\(p.step),\"planned\":\(p.plannedSteps),\"lexicon\":\(p.lexiconSize),"
                     + "\"probation\":\(p.onProbation)}")
        } else {
            emit(String(format: "step %d / %d: lexicon %d (%d on probation)", p.step, p.plannedSteps, p.lexiconSize, p.onProbation))
        }
    }
}
