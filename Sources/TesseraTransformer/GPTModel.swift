// GPTModel: a GPT-2 decoder (Radford et al. 2019) — token + learned position embeddings, pre-LayerNorm
// blocks x += Attn(LN(x)); x += MLP(LN(x)) with causal multi-head attention and a 4C tanh-GELU MLP,
// a final LayerNorm and an output head tied to the token embedding — with its full backward pass.
// The layer sequence mirrors llm.c's gpt2_forward / gpt2_backward; every kernel call goes through a
// ComputeBackend, so this file never touches the hardware.
//
// Shape legend: B batch, T sequence length (≤ contextLength), C width, NH heads, L layers, V vocabulary.
// Invariant: after `forward(tokens:targets:)` and `backward()`, `gradients` holds ∂(mean loss)/∂parameters
// for that batch (gradients accumulate across calls until `zeroGradients()`).
// Complexity: one forward ≈ B·T·forwardFLOPsPerToken; backward ≈ 2× that. Memory: parameters ×4
// (weights, gradients, AdamW m and v) + activations O(B·T·(16·L·C + V) + B·L·NH·T²), twice (values and gradients).

import Foundation

/// Activation buffers for one (B, T), laid out in one allocation.
struct GPTActivations {
    enum Kind: Int, CaseIterable {
        case encoded, ln1, ln1Mean, ln1Rstd, qkv, atty, att, attproj, residual2, ln2, ln2Mean, ln2Rstd,
             fch, fchGelu, fcproj, residual3, lnf, lnfMean, lnfRstd, logits, probs, losses
    }

    /// Kinds the backward pass never reads a gradient of (att: attention backward works on a per-worker
    /// scratch; statistics and probabilities have no upstream gradient). They take no gradient memory, and
    /// the per-step zeroing skips them (att alone is B·NH·T² floats per layer).
    static let withoutGradient: Set<Kind> = [.ln1Mean, .ln1Rstd, .att, .ln2Mean, .ln2Rstd, .lnfMean, .lnfRstd, .probs, .losses]

    let B: Int, T: Int
    let counts: [Int]
    let offsets: [Int]
    let total: Int
    /// Offsets and size of the gradient buffer (kinds in `withoutGradient` have none).
    let gradientOffsets: [Int]
    let gradientTotal: Int

    init(config c: GPTConfig, B: Int, T: Int) {
        self.B = B
        self.T = T
        let L = c.layers, C = c.width, NH = c.heads, V = c.vocabularySize, BT = B * T
        var counts = [Int](repeating: 0, count: Kind.allCases.count)
        for k in Kind.allCases {
            switch k {
            case .encoded, .lnf: counts[k.rawValue] = BT * C
            case .ln1, .atty, .attproj, .residual2, .ln2, .fcproj, .residual3: counts[k.rawValue] = L * BT * C
            case .ln1Mean, .ln1Rstd, .ln2Mean, .ln2Rstd: counts[k.rawValue] = L * BT
            case .qkv: counts[k.rawValue] = L * BT * 3 * C
            case .att: counts[k.rawValue] = L * B * NH * T * T
            case .fch, .fchGelu: counts[k.rawValue] = L * BT * 4 * C
            case .lnfMean, .lnfRstd, .losses: counts[k.rawValue] = BT
            case .logits, .probs: counts[k.rawValue] = BT * V
            }
        }
        var offsets: [Int] = [], gradientOffsets: [Int] = []
        var at = 0, gradientAt = 0
        for k in Kind.allCases {
            offsets.append(at)
            gradientOffsets.append(gradientAt)
            at += counts[k.rawValue]
            if !Self.withoutGradient.contains(k) { gradientAt += counts[k.rawValue] }
        }
        self.counts = counts
        self.offsets = offsets
        self.total = at
        self.gradientOffsets = gradientOffsets
        self.gradientTotal = gradientAt
    }
}

/// A GPT-2 model with its gradients, optimizer state and activations.
public final class GPTModel {
    public let config: GPTConfig
    public let backend: any ComputeBackend
    /// All parameters, in `GPTConfig.Tensor` order.
    public let parameters: UnsafeMutablePointer<Float>
    /// ∂loss/∂parameters, same layout as `parameters`.
    public let gradients: UnsafeMutablePointer<Float>
    /// AdamW first and second moments (allocated on the first optimizer step).
    var adamM: UnsafeMutablePointer<Float>?
    var adamV: UnsafeMutablePointer<Float>?
    /// Optimizer steps taken so far (AdamW's bias correction needs it; saved in checkpoints).
    public internal(set) var step = 0

    let offsets: [Int]
    var layout: GPTActivations?
    var acts: UnsafeMutablePointer<Float>?
    var gradActs: UnsafeMutablePointer<Float>?
    var inputs: [Int32] = []
    var targets: [Int32] = []
    var hasTargets = false
    /// Free-form facts saved in the checkpoint's metadata (e.g. `tokenizer`: the tokenizer the model was
    /// trained with); read back by `load`.
    public var info: [String: String] = [:]
    /// Mean loss of the last forward pass with targets.
    public private(set) var meanLoss: Float = 0

    /// A model with zero parameters (load or `initialize(seed:)` next).
    /// - Precondition: `config.problem == nil` (callers validate user input first).
    public init(config: GPTConfig, backend: any ComputeBackend) {
        precondition(config.problem == nil, config.problem ?? "")
        self.config = config
        self.backend = backend
        self.offsets = config.offsets
        parameters = backend.allocate(config.parameterCount)
        gradients = backend.allocate(config.parameterCount)
    }

    deinit {
        backend.deallocate(parameters)
        backend.deallocate(gradients)
        if let adamM { backend.deallocate(adamM) }
        if let adamV { backend.deallocate(adamV) }
        if let acts { backend.deallocate(acts) }
        if let gradActs { backend.deallocate(gradActs) }
    }

    /// Pointer to a tensor kind's parameters (layer 0 for per-layer kinds).
    public func parameter(_ t: GPTConfig.Tensor) -> UnsafeMutablePointer<Float> { parameters + offsets[t.rawValue] }
    /// Pointer to a tensor kind's gradients.
    public func gradient(_ t: GPTConfig.Tensor) -> UnsafeMutablePointer<Float> { gradients + offsets[t.rawValue] }

    /// GPT-2 initialisation: weights N(0, 0.02), residual output projections N(0, 0.02/√(2L)),
    /// biases 0, LayerNorm gains 1 (nanoGPT's `_init_weights`). Deterministic given `seed`.
    public func initialize(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let residualStd = 0.02 / Float(2 * config.layers).squareRoot()
        for t in GPTConfig.Tensor.allCases {
            let p = parameter(t), n = config.count(of: t)
            switch t {
            case .wte, .wpe, .qkvw, .fcw: for i in 0..<n { p[i] = 0.02 * rng.nextNormal() }
            case .attprojw, .fcprojw: for i in 0..<n { p[i] = residualStd * rng.nextNormal() }
            case .ln1w, .ln2w, .lnfw: for i in 0..<n { p[i] = 1 }
            default: for i in 0..<n { p[i] = 0 }
            }
        }
        step = 0
        if let adamM { backend.zero(adamM, count: config.parameterCount) }
        if let adamV { backend.zero(adamV, count: config.parameterCount) }
    }

    func act(_ k: GPTActivations.Kind) -> UnsafeMutablePointer<Float> { acts! + layout!.offsets[k.rawValue] }
    func grad(_ k: GPTActivations.Kind) -> UnsafeMutablePointer<Float> { gradActs! + layout!.gradientOffsets[k.rawValue] }

    func ensureActivations(B: Int, T: Int) {
        if let l = layout, l.B == B, l.T == T { return }
        if let acts { backend.deallocate(acts) }
        if let gradActs { backend.deallocate(gradActs) }
        let l = GPTActivations(config: config, B: B, T: T)
        layout = l
        acts = backend.allocate(l.total)
        gradActs = backend.allocate(l.gradientTotal)
    }

    /// Logits of the last forward pass: (B, T, V) row-major.
    public var logits: UnsafeBufferPointer<Float> {
        guard let l = layout else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: act(.logits), count: l.counts[GPTActivations.Kind.logits.rawValue])
    }

    /// Runs the model on `tokens` (B×T row-major). With `targets` (same shape) it also computes the
    /// per-position losses and returns their mean; without, it returns nil and only the logits are valid.
    /// - Throws: `LMError` for a bad shape or an id outside the vocabulary.
    @discardableResult
    public func forward(tokens: [Int32], targets: [Int32]?, batch B: Int, length T: Int) throws -> Float? {
        try checkBatch(tokens, B: B, T: T, what: "input")
        if let targets { try checkBatch(targets, B: B, T: T, what: "target") }
        ensureActivations(B: B, T: T)
        inputs = tokens
        self.targets = targets ?? []
        hasTargets = targets != nil
        let C = config.width, NH = config.heads, L = config.layers, V = config.vocabularySize, BT = B * T
        let be = backend
        inputs.withUnsafeBufferPointer { tok in
            be.encoderForward(out: act(.encoded), tokens: tok.baseAddress!, wte: parameter(.wte), wpe: parameter(.wpe),
                              B: B, T: T, C: C)
        }
        for l in 0..<L {
            let residual = l == 0 ? act(.encoded) : act(.residual3) + (l - 1) * BT * C
            let ln1 = act(.ln1) + l * BT * C, qkv = act(.qkv) + l * BT * 3 * C, atty = act(.atty) + l * BT * C
            let att = act(.att) + l * B * NH * T * T, attproj = act(.attproj) + l * BT * C
            let residual2 = act(.residual2) + l * BT * C, ln2 = act(.ln2) + l * BT * C
            let fch = act(.fch) + l * BT * 4 * C, fchGelu = act(.fchGelu) + l * BT * 4 * C
            let fcproj = act(.fcproj) + l * BT * C, residual3 = act(.residual3) + l * BT * C
            be.layerNormForward(out: ln1, mean: act(.ln1Mean) + l * BT, rstd: act(.ln1Rstd) + l * BT, inp: residual,
                                weight: parameter(.ln1w) + l * C, bias: parameter(.ln1b) + l * C, N: BT, C: C)
            be.matmulForward(out: qkv, inp: ln1, weight: parameter(.qkvw) + l * 3 * C * C,
                             bias: parameter(.qkvb) + l * 3 * C, N: BT, C: C, OC: 3 * C)
            be.attentionForward(out: atty, att: att, qkv: qkv, B: B, T: T, C: C, NH: NH)
            be.matmulForward(out: attproj, inp: atty, weight: parameter(.attprojw) + l * C * C,
                             bias: parameter(.attprojb) + l * C, N: BT, C: C, OC: C)
            be.add(out: residual2, a: residual, b: attproj, count: BT * C)
            be.layerNormForward(out: ln2, mean: act(.ln2Mean) + l * BT, rstd: act(.ln2Rstd) + l * BT, inp: residual2,
                                weight: parameter(.ln2w) + l * C, bias: parameter(.ln2b) + l * C, N: BT, C: C)
            be.matmulForward(out: fch, inp: ln2, weight: parameter(.fcw) + l * 4 * C * C,
                             bias: parameter(.fcb) + l * 4 * C, N: BT, C: C, OC: 4 * C)
            be.geluForward(out: fchGelu, inp: fch, count: BT * 4 * C)
            be.matmulForward(out: fcproj, inp: fchGelu, weight: parameter(.fcprojw) + l * 4 * C * C,
                             bias: parameter(.fcprojb) + l * C, N: BT, C: 4 * C, OC: C)
            be.add(out: residual3, a: residual2, b: fcproj, count: BT * C)
        }
        be.layerNormForward(out: act(.lnf), mean: act(.lnfMean), rstd: act(.lnfRstd),
                            inp: act(.residual3) + (L - 1) * BT * C, weight: parameter(.lnfw), bias: parameter(.lnfb),
                            N: BT, C: C)
        be.matmulForward(out: act(.logits), inp: act(.lnf), weight: parameter(.wte), bias: nil, N: BT, C: C, OC: V)
        guard hasTargets else { return nil }
        self.targets.withUnsafeBufferPointer { tg in
            be.crossEntropyForward(losses: act(.losses), probs: act(.probs), logits: act(.logits),
                                   targets: tg.baseAddress!, N: BT, V: V)
        }
        var total = 0.0
        let losses = act(.losses)
        for i in 0..<BT { total += Double(losses[i]) }
        meanLoss = Float(total / Double(BT))
        return meanLoss
    }

    /// Per-position losses (nats) of the last forward pass with targets, (B, T) row-major.
    public var losses: UnsafeBufferPointer<Float> {
        guard let l = layout, hasTargets else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: act(.losses), count: l.B * l.T)
    }

    /// Sets every gradient to zero.
    public func zeroGradients() { backend.zero(gradients, count: config.parameterCount) }

    /// Adds ∂(mean loss)/∂parameters of the last forward pass to `gradients`.
    /// - Throws: `LMError.noForwardPass` when no forward pass with targets came first.
    public func backward() throws {
        guard hasTargets, let lay = layout else { throw LMError.noForwardPass }
        let B = lay.B, T = lay.T
        let C = config.width, NH = config.heads, L = config.layers, V = config.vocabularySize, BT = B * T
        let be = backend
        backend.zero(gradActs!, count: lay.gradientTotal)
        targets.withUnsafeBufferPointer { tg in
            be.crossEntropyBackward(dlogits: grad(.logits), probs: act(.probs), targets: tg.baseAddress!,
                                    dloss: 1 / Float(BT), N: BT, V: V)
        }
        be.matmulBackward(dinp: grad(.lnf), dweight: gradient(.wte), dbias: nil, dout: grad(.logits),
                          inp: act(.lnf), weight: parameter(.wte), N: BT, C: C, OC: V)
        be.layerNormBackward(dinp: grad(.residual3) + (L - 1) * BT * C, dweight: gradient(.lnfw), dbias: gradient(.lnfb),
                             dout: grad(.lnf), inp: act(.residual3) + (L - 1) * BT * C, weight: parameter(.lnfw),
                             mean: act(.lnfMean), rstd: act(.lnfRstd), N: BT, C: C)
        for l in stride(from: L - 1, through: 0, by: -1) {
            let residual = l == 0 ? act(.encoded) : act(.residual3) + (l - 1) * BT * C
            let dresidual = l == 0 ? grad(.encoded) : grad(.residual3) + (l - 1) * BT * C
            let o1 = l * BT * C, o3 = l * BT * 3 * C, o4 = l * BT * 4 * C
            // residual3 = residual2 + fcproj: the gradient flows unchanged into both.
            let dres3 = grad(.residual3) + o1
            be.accumulate(grad(.residual2) + o1, dres3, count: BT * C)
            be.accumulate(grad(.fcproj) + o1, dres3, count: BT * C)
            be.matmulBackward(dinp: grad(.fchGelu) + o4, dweight: gradient(.fcprojw) + l * 4 * C * C,
                              dbias: gradient(.fcprojb) + l * C, dout: grad(.fcproj) + o1, inp: act(.fchGelu) + o4,
                              weight: parameter(.fcprojw) + l * 4 * C * C, N: BT, C: 4 * C, OC: C)
            be.geluBackward(dinp: grad(.fch) + o4, inp: act(.fch) + o4, dout: grad(.fchGelu) + o4, count: BT * 4 * C)
            be.matmulBackward(dinp: grad(.ln2) + o1, dweight: gradient(.fcw) + l * 4 * C * C, dbias: gradient(.fcb) + l * 4 * C,
                              dout: grad(.fch) + o4, inp: act(.ln2) + o1, weight: parameter(.fcw) + l * 4 * C * C,
                              N: BT, C: C, OC: 4 * C)
            be.layerNormBackward(dinp: grad(.residual2) + o1, dweight: gradient(.ln2w) + l * C, dbias: gradient(.ln2b) + l * C,
                                 dout: grad(.ln2) + o1, inp: act(.residual2) + o1, weight: parameter(.ln2w) + l * C,
                                 mean: act(.ln2Mean) + l * BT, rstd: act(.ln2Rstd) + l * BT, N: BT, C: C)
            // residual2 = residual + attproj.
            let dres2 = grad(.residual2) + o1
            be.accumulate(dresidual, dres2, count: BT * C)
            be.accumulate(grad(.attproj) + o1, dres2, count: BT * C)
            be.matmulBackward(dinp: grad(.atty) + o1, dweight: gradient(.attprojw) + l * C * C,
                              dbias: gradient(.attprojb) + l * C, dout: grad(.attproj) + o1, inp: act(.atty) + o1,
                              weight: parameter(.attprojw) + l * C * C, N: BT, C: C, OC: C)
            be.attentionBackward(dqkv: grad(.qkv) + o3, dout: grad(.atty) + o1, qkv: act(.qkv) + o3,
                                 att: act(.att) + l * B * NH * T * T, B: B, T: T, C: C, NH: NH)
            be.matmulBackward(dinp: grad(.ln1) + o1, dweight: gradient(.qkvw) + l * 3 * C * C,
                              dbias: gradient(.qkvb) + l * 3 * C, dout: grad(.qkv) + o3, inp: act(.ln1) + o1,
                              weight: parameter(.qkvw) + l * 3 * C * C, N: BT, C: C, OC: 3 * C)
            be.layerNormBackward(dinp: dresidual, dweight: gradient(.ln1w) + l * C, dbias: gradient(.ln1b) + l * C,
                                 dout: grad(.ln1) + o1, inp: residual, weight: parameter(.ln1w) + l * C,
                                 mean: act(.ln1Mean) + l * BT, rstd: act(.ln1Rstd) + l * BT, N: BT, C: C)
        }
        inputs.withUnsafeBufferPointer { tok in
            be.encoderBackward(dwte: gradient(.wte), dwpe: gradient(.wpe), dout: grad(.encoded), tokens: tok.baseAddress!,
                               B: B, T: T, C: C)
        }
    }

    func checkBatch(_ ids: [Int32], B: Int, T: Int, what: String) throws {
        guard B >= 1, T >= 1, T <= config.contextLength else {
            throw LMError.badShape("a batch of \(B)×\(T) \(what) tokens does not fit a model with context \(config.contextLength)")
        }
        guard ids.count == B * T else {
            throw LMError.badShape("\(ids.count) \(what) tokens given for a \(B)×\(T) batch")
        }
        let V = Int32(config.vocabularySize)
        for (i, id) in ids.enumerated() where id < 0 || id >= V {
            throw LMError.tokenOutOfRange(id: Int(id), position: i, vocabularySize: config.vocabularySize)
        }
    }
}
