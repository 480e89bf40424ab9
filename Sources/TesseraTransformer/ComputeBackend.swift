// ComputeBackend: the kernel contract between the GPT model and the hardware. The model code only
// allocates buffers through a backend and calls these kernels, so a CUDA backend can replace the CPU
// one without touching `GPTModel` (the split llm.c makes between train_gpt2.c and train_gpt2.cu).
//
// Conventions (shared by every kernel, as in llm.c's train_gpt2.c):
// - Every tensor is a dense row-major float32 buffer; shapes are given in the doc comments as
//   (B, T, C) = (batch, time, channels), N = rows, NH = heads, hs = C / NH, V = vocabulary.
// - Forward kernels overwrite their outputs. Backward kernels ADD into their input gradients
//   (`+=`), so the caller zeroes gradients once per step and contributions from several paths (the
//   residual stream, the tied embedding) accumulate.
// - Linear weights are stored (out, in) like `torch.nn.Linear`; checkpoints in HF GPT-2 layout
//   (Conv1D, (in, out)) are transposed when they are read and written.
// Invariant: each backward kernel is the exact adjoint of its forward kernel (checked by the
// finite-difference tests in TesseraTransformerTests/OpGradientTests.swift).

/// Where the model's buffers live and which kernels run on them.
public protocol ComputeBackend: AnyObject, Sendable {
    /// A short name for progress lines and reports ("cpu-openblas, 2 threads").
    var name: String { get }

    /// A zero-filled buffer of `count` floats. Release it with `deallocate`.
    func allocate(_ count: Int) -> UnsafeMutablePointer<Float>
    func deallocate(_ buffer: UnsafeMutablePointer<Float>)
    func zero(_ buffer: UnsafeMutablePointer<Float>, count: Int)
    /// Host-visible copies (a device backend copies across the bus here).
    func copy(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int)

    /// out (B,T,C) = wte[tokens[b,t]] + wpe[t]. - Complexity: O(B·T·C).
    func encoderForward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                        wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, B: Int, T: Int, C: Int)
    /// dwte[tokens[b,t]] += dout[b,t]; dwpe[t] += dout[b,t].
    func encoderBackward(dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>,
                         dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int)

    /// out (N,C) = (inp − mean) · rstd · weight + bias per row, biased variance, eps 1e-5;
    /// mean and rstd (N) are saved for the backward pass. - Complexity: O(N·C).
    func layerNormForward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                          rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, N: Int, C: Int)
    func layerNormBackward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                           dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                           inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, N: Int, C: Int)

    /// out (N,OC) = inp (N,C) · weightᵀ (weight is (OC,C)) + bias (OC, optional).
    /// - Complexity: O(N·C·OC), one GEMM.
    func matmulForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                       weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, N: Int, C: Int, OC: Int)
    /// dinp += dout · weight; dweight += doutᵀ · inp; dbias += Σ_rows dout. - Complexity: two GEMMs.
    func matmulBackward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                        dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, N: Int, C: Int, OC: Int)

    /// Causal multi-head self-attention. qkv (B,T,3C) holds q | k | v per position, each split into NH
    /// heads of hs channels; out (B,T,C) concatenates the heads; att (B,NH,T,T) receives the softmax
    /// weights (zero above the diagonal) for the backward pass. - Complexity: O(B·NH·T²·hs).
    func attentionForward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                          qkv: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int)
    func attentionBackward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                           qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int)
    /// Attention for `n` new positions of one sequence against a cache of `past + n` keys and values
    /// (rows of width C, the new ones already appended): query i sees keys 0 … past + i.
    /// q and out are (n, C). - Complexity: O(NH·n·(past+n)·hs).
    func attentionCached(out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, qStride: Int,
                         keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                         past: Int, n: Int, C: Int, NH: Int)

    /// out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) elementwise.
    func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int)
    func geluBackward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                      dout: UnsafePointer<Float>, count: Int)

    /// out = a + b elementwise (the residual stream).
    func add(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int)
    /// y += x elementwise (the residual stream's backward, gradient accumulation).
    func accumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int)

    /// Row-wise softmax of logits (N,V) into probs, and losses[i] = −ln probs[i, targets[i]].
    /// Computed with log-sum-exp so that a large logit never overflows. - Complexity: O(N·V).
    func crossEntropyForward(losses: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                             logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, N: Int, V: Int)
    /// dlogits += (probs − onehot(targets)) · dloss, the gradient of dloss · Σ losses.
    func crossEntropyBackward(dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>,
                              targets: UnsafePointer<Int32>, dloss: Float, N: Int, V: Int)

    /// Σ x², accumulated in double (gradient clipping needs the global norm).
    func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double
    /// One AdamW step with bias correction (decoupled weight decay, llm.c's form):
    /// m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr·(m̂/(√v̂+eps) + wd·p), with g = gradScale·grad
    /// over one contiguous range (the optimizer calls it once per group: decayed weights, undecayed rest).
    func adamW(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
               m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
               learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
               gradScale: Float, step: Int)
}
