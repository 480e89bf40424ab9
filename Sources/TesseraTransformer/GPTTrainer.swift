// GPTTrainer: the training loop — sample a batch of windows at random offsets of the token stream,
// forward, backward, AdamW update; periodic held-out evaluation, atomic checkpoints and resume.
// Batches are drawn from a generator seeded by (seed, step), so a resumed run sees exactly the
// batches an uninterrupted one would have seen.
// Training state (AdamW moments, step) goes to `CHECKPOINT.state.safetensors` beside the model file,
// which stays a plain HF GPT-2 safetensors file.
//
// Invariant: with the same seed, data and options, runs are bit-identical, including across a resume.
// Complexity: per step 3·B·T·forwardFLOPsPerToken FLOPs (forward + backward ≈ 3× forward).

import Foundation
import TesseraFormats

/// Settings of a training run.
public struct GPTTrainingOptions: Sendable {
    public var batchSize = 8
    public var sequenceLength = 64
    public var steps = 1000
    public var optimizer = AdamWOptimizer()
    public var seed: UInt64 = 1
    /// Evaluate on the validation stream every this many steps (0: only at the end).
    public var evaluateEvery = 0
    /// Write a checkpoint every this many steps (0: only at the end), when a path is given.
    public var checkpointEvery = 0
    public var checkpointPath: String?
    public init() {}
}

/// One progress report.
public struct GPTTrainingProgress: Sendable {
    public var step: Int
    public var steps: Int
    public var loss: Float
    public var learningRate: Float
    public var gradientNorm: Float
    /// Training tokens per second over this run so far (evaluation and checkpoint time excluded).
    public var tokensPerSecond: Double
    /// Training FLOP/s over this run so far (3× forward FLOPs; evaluation and checkpoints excluded).
    public var flopsPerSecond: Double
    /// Training FLOP/s of the fastest single step so far (on a shared machine, the one least disturbed).
    public var bestStepFlopsPerSecond: Double
    /// Seconds spent training (evaluation and checkpoint time excluded).
    public var elapsed: Double
    public var remaining: Double
    /// Held-out evaluation, on evaluation steps.
    public var validation: LMEvaluation?
}

/// Runs training on a token stream.
public final class GPTTrainer {
    public let model: GPTModel
    public let options: GPTTrainingOptions
    let train: [UInt32]
    let validation: [UInt32]?
    let validationBytes: UInt64

    /// - Throws: `LMError` when the stream is too short for one window or the options are unusable.
    public init(model: GPTModel, train: [UInt32], validation: [UInt32]? = nil, validationBytes: UInt64 = 0,
                options: GPTTrainingOptions) throws {
        guard options.sequenceLength >= 1, options.sequenceLength <= model.config.contextLength else {
            throw LMError.invalidSetting("the sequence length \(options.sequenceLength) must be in 1…\(model.config.contextLength) (the model's context)")
        }
        guard options.batchSize >= 1, options.steps >= 1 else { throw LMError.invalidSetting("batch size and steps must be ≥ 1") }
        guard train.count > options.sequenceLength else {
            throw LMError.badShape("the training data has \(train.count) tokens; one window needs \(options.sequenceLength + 1)")
        }
        if let bad = train.firstIndex(where: { Int($0) >= model.config.vocabularySize }) {
            throw LMError.tokenOutOfRange(id: Int(train[bad]), position: bad, vocabularySize: model.config.vocabularySize)
        }
        self.model = model
        self.train = train
        self.validation = validation
        self.validationBytes = validationBytes
        self.options = options
    }

    /// The batch of step `step` (1-based): B windows at offsets drawn from (seed, step).
    func batch(step: Int) -> (inputs: [Int32], targets: [Int32]) {
        let B = options.batchSize, T = options.sequenceLength
        var rng = SeededRandom(seed: options.seed ^ (UInt64(step) &* 0xD1B5_4A32_D192_ED03))
        var inp = [Int32](), tgt = [Int32]()
        inp.reserveCapacity(B * T)
        tgt.reserveCapacity(B * T)
        let span = UInt64(train.count - T)
        for _ in 0..<B {
            let o = Int(rng.next() % span)
            for j in 0..<T { inp.append(Int32(train[o + j])); tgt.append(Int32(train[o + j + 1])) }
        }
        return (inp, tgt)
    }

    /// Trains from `model.step + 1` to `options.steps`.
    public func run(progress: (GPTTrainingProgress) -> Void = { _ in }) throws {
        let first = model.step + 1
        guard first <= options.steps else { return }
        let tokensPerStep = Double(options.batchSize * options.sequenceLength)
        let flopsPerStep = 3 * tokensPerStep * model.config.forwardFLOPsPerToken(sequenceLength: options.sequenceLength)
        let clock = ContinuousClock()
        var elapsed = 0.0, fastest = Double.infinity
        for step in first...options.steps {
            let stepStart = clock.now
            let (inp, tgt) = batch(step: step)
            model.zeroGradients()
            let loss = try model.forward(tokens: inp, targets: tgt, batch: options.batchSize, length: options.sequenceLength) ?? .nan
            try model.backward()
            let norm = options.optimizer.update(model)
            let stepTime = seconds(clock.now - stepStart)
            elapsed += stepTime
            fastest = min(fastest, stepTime)
            let done = Double(step - first + 1)
            var report = GPTTrainingProgress(step: step, steps: options.steps, loss: loss,
                                          learningRate: options.optimizer.learningRate(at: step), gradientNorm: norm,
                                          tokensPerSecond: done * tokensPerStep / max(elapsed, 1e-9),
                                          flopsPerSecond: done * flopsPerStep / max(elapsed, 1e-9),
                                          bestStepFlopsPerSecond: flopsPerStep / max(fastest, 1e-9), elapsed: elapsed,
                                          remaining: elapsed / done * Double(options.steps - step), validation: nil)
            let last = step == options.steps
            if let validation, last || (options.evaluateEvery > 0 && step % options.evaluateEvery == 0) {
                report.validation = try model.evaluate(tokens: validation, totalBytes: validationBytes, batch: options.batchSize)
            }
            if let path = options.checkpointPath, last || (options.checkpointEvery > 0 && step % options.checkpointEvery == 0) {
                try model.saveTrainingCheckpoint(to: path)
            }
            progress(report)
        }
    }
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

extension GPTModel {
    /// Path of the training-state file that goes with a checkpoint.
    public static func statePath(for checkpoint: String) -> String {
        (checkpoint.hasSuffix(".safetensors") ? String(checkpoint.dropLast(12)) : checkpoint) + ".state.safetensors"
    }

    /// Saves the weights and the optimizer state (both atomically; the state first, so a model file
    /// never points at an older state than its own).
    public func saveTrainingCheckpoint(to path: String) throws {
        let n = config.parameterCount
        var state = SafetensorsFile(metadata: ["step": String(step), "parameters": String(n)])
        if let adamM, let adamV {
            state.tensors["adam.m"] = NamedTensor(shape: [n], values: Array(UnsafeBufferPointer(start: adamM, count: n)))
            state.tensors["adam.v"] = NamedTensor(shape: [n], values: Array(UnsafeBufferPointer(start: adamV, count: n)))
        }
        try state.write(to: Self.statePath(for: path))
        try save(to: path)
    }

    /// Loads the optimizer state saved beside `checkpoint` (for resuming).
    /// - Throws: `FormatError` when the file is missing, corrupt, or belongs to a model of another size.
    public func loadTrainingState(checkpoint: String) throws {
        let path = Self.statePath(for: checkpoint)
        let state = try SafetensorsFile.read(path)
        guard let s = state.metadata["step"].flatMap({ Int($0) }), s >= 0 else {
            throw FormatError(.invalidValue, file: path, at: .field("__metadata__.step"), "is missing or not a step number",
                              fix: "the training state is corrupt; resume from a checkpoint with an intact state file")
        }
        let n = config.parameterCount
        if let m = state.tensors["adam.m"], let v = state.tensors["adam.v"] {
            guard m.values.count == n, v.values.count == n else {
                throw FormatError(.invalidValue, file: path, at: .field("adam.m"),
                                  "holds \(m.values.count) moments but the model has \(n) parameters",
                                  fix: "this state belongs to another model; use the state file written with the checkpoint")
            }
            if adamM == nil { adamM = backend.allocate(n); adamV = backend.allocate(n) }
            m.values.withUnsafeBufferPointer { backend.copy(from: $0.baseAddress!, to: adamM!, count: n) }
            v.values.withUnsafeBufferPointer { backend.copy(from: $0.baseAddress!, to: adamV!, count: n) }
        }
        step = s
    }
}
