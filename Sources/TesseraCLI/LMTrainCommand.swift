// `tessera lm train`: trains a GPT-2-style model on text or token shards (GPTTrainer), with progress
// lines (loss, tokens/s, FLOP/s, ETA) on standard error and an atomic checkpoint at the end.

import ArgumentParser
import Foundation
import TesseraTransformer

struct LMTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a GPT-2-style model on text files or .tokens shards.",
        discussion: """
        --tokenizer bytes trains on raw bytes (256 ids). The checkpoint is a Hugging Face GPT-2 safetensors \
        file; the optimizer state goes beside it (NAME.state.safetensors) for --resume.
        """)

    @Option(name: [.customShort("t"), .long], help: "Tokenizer name or file, or 'bytes' (default: o200k_base; none needed for .tokens shards).")
    var tokenizer: String?
    @Option(name: .long, parsing: .upToNextOption, help: "Training text files/folders or .tokens shards.")
    var data: [String]
    @Option(name: .long, parsing: .upToNextOption, help: "Held-out text or shards (bits/byte reported).")
    var validation: [String] = []
    @Option(name: [.customShort("o"), .long], help: "Checkpoint to write (.safetensors).")
    var output: String
    @Option(name: .long, help: "Transformer blocks.") var layers = 2
    @Option(name: .long, help: "Residual width.") var width = 64
    @Option(name: .long, help: "Attention heads.") var heads = 2
    @Option(name: .long, help: "Context length (positions).") var context = 64
    @Option(name: .long, help: "Sequences per step.") var batch = 8
    @Option(name: .long, help: "Optimizer steps.") var steps = 200
    @Option(name: .long, help: "Peak learning rate.") var lr: Float = 1e-3
    @Option(name: .long, help: "Final learning rate.") var minLr: Float = 1e-4
    @Option(name: .long, help: "Warm-up steps.") var warmup = 20
    @Option(name: .long, help: "AdamW weight decay (matrices and embeddings).") var weightDecay: Float = 0
    @Option(name: .long, help: "Gradient-norm clip (0: off).") var clip: Float = 1
    @Option(name: .long, help: "Seed (initialisation and batches).") var seed: UInt64 = 1
    @Option(name: .long, help: "Evaluate every N steps (0: at the end).") var evalEvery = 0
    @Option(name: .long, help: "Checkpoint every N steps (0: at the end).") var checkpointEvery = 0
    @Option(name: .long, help: "Print progress every N steps.") var logEvery = 10
    @Option(name: .long, help: "OpenBLAS threads.") var threads = 1
    @Flag(name: .long, help: "Continue from --output and its state file.") var resume = false
    @Flag(name: .long, help: "Measure the sgemm peak before, during (every 5 steps) and after training and report training FLOP/s as a fraction of it.") var measurePeak = false

    func validate() throws {
        if layers < 1 || width < 1 || heads < 1 || context < 1 || batch < 1 || steps < 1 || threads < 1 || logEvery < 1 {
            throw ValidationError("--layers, --width, --heads, --context, --batch, --steps, --threads and --log-every must be ≥ 1")
        }
        if width % heads != 0 { throw ValidationError("--width (\(width)) must be a multiple of --heads (\(heads))") }
        if !(lr > 0) || !(minLr >= 0) || warmup < 0 { throw ValidationError("--lr must be > 0, --min-lr ≥ 0, --warmup ≥ 0") }
    }

    func run() throws {
        let tok = try tokenizer.map(LMTokenizer.init) ?? (data.allSatisfy(isShardPath)
                                                            ? LMTokenizer(shardsOf: data) : LMTokenizer("o200k_base"))
        let (train, trainBytes) = try tok.load(data)
        let held = validation.isEmpty ? nil : try tok.load(validation)
        let backend = CPUBackend(threads: threads)
        let model: GPTModel
        if resume {
            model = try GPTModel.load(from: output, backend: backend)
            try model.loadTrainingState(checkpoint: output)
            guard model.config.vocabularySize == tok.vocabularySize else {
                throw CLIError("\(output) has a vocabulary of \(model.config.vocabularySize) but tokenizer '\(tok.name)' has \(tok.vocabularySize). Fix: resume with the tokenizer it was trained with")
            }
        } else {
            let config = GPTConfig(vocabularySize: tok.vocabularySize, contextLength: context, layers: layers, heads: heads, width: width)
            model = GPTModel(config: config, backend: backend)
            model.initialize(seed: seed)
        }
        if tok.shardVocabulary == nil { model.info["tokenizer"] = tok.name }
        var options = GPTTrainingOptions()
        options.batchSize = batch
        options.sequenceLength = model.config.contextLength
        options.steps = steps
        options.seed = seed
        options.evaluateEvery = evalEvery
        options.checkpointEvery = checkpointEvery
        options.checkpointPath = output
        options.optimizer.maxLearningRate = lr
        options.optimizer.minLearningRate = minLr
        options.optimizer.warmupSteps = warmup
        options.optimizer.totalSteps = steps
        options.optimizer.weightDecay = weightDecay
        options.optimizer.gradientClip = clip
        let c = model.config
        let err = FileHandle.standardError
        err.write(Data(("lm train: \(c.parameterCount) parameters (L \(c.layers), C \(c.width), heads \(c.heads), context \(c.contextLength), V \(c.vocabularySize)); "
            + "\(train.count) tokens (\(String(format: "%.2f", Double(trainBytes) / Double(max(train.count, 1)))) bytes/token); \(backend.name)\n").utf8))
        let trainer: GPTTrainer
        do {
            trainer = try GPTTrainer(model: model, train: train, validation: held?.ids, validationBytes: held?.bytes ?? 0, options: options)
        } catch { throw CLIError("\(error)") }
        var peak = measurePeak ? backend.measureSgemmPeak() : nil
        if let peak { err.write(Data(String(format: "lm train: sgemm peak %.1f GFLOP/s (1024³, %d threads)\n", peak, threads).utf8)) }
        var final: GPTTrainingProgress?
        try trainer.run { p in
            final = p
            // On a shared machine one measurement can land in a busy moment: sample the peak through the
            // run (outside the timed steps) and keep the best, the stricter denominator.
            if let best = peak, p.step % 5 == 0 { peak = max(best, backend.measureSgemmPeak(repeats: 2)) }
            guard p.step % logEvery == 0 || p.step == p.steps || p.validation != nil else { return }
            var line = String(format: "step %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f tok/s  %.2f GFLOP/s  ETA ",
                              p.step, p.steps, p.loss, p.learningRate, p.gradientNorm, p.tokensPerSecond, p.flopsPerSecond / 1e9)
                + clockTime(p.remaining)
            if let v = p.validation {
                line += String(format: "  | held-out %.4f nats/token, %.4f bits/byte", v.lossPerToken, v.bitsPerByte)
            }
            err.write(Data((line + "\n").utf8))
        }
        if let before = peak {
            let after = backend.measureSgemmPeak()
            peak = max(before, after)
            err.write(Data(String(format: "lm train: sgemm peak after training %.1f GFLOP/s; best of all samples %.1f\n", after, max(before, after)).utf8))
        }
        if let f = final {
            var summary = String(format: "lm train: %.0f tokens/s, %.2f GFLOP/s", f.tokensPerSecond, f.flopsPerSecond / 1e9)
            if let peak {
                summary += String(format: " = %.1f%% of the sgemm peak (fastest step %.2f GFLOP/s = %.1f%% of it)",
                                  100 * f.flopsPerSecond / 1e9 / peak, f.bestStepFlopsPerSecond / 1e9,
                                  100 * f.bestStepFlopsPerSecond / 1e9 / peak)
            }
            summary += String(format: "; peak memory %.1f MiB; %.1f s\n", Double(peakResidentBytes()) / 1_048_576, f.elapsed)
            err.write(Data(summary.utf8))
        }
        err.write(Data("lm train: wrote \(output)\n".utf8))
    }
}
