// GPTConfig: the shape of a GPT-2-style decoder, and the layout of its parameters in one contiguous
// buffer (llm.c's ParameterTensors order), which lets the optimizer, gradient clipping and zeroing
// each be one pass over one buffer.
// Invariant: the tensors tile [0, parameterCount) without gaps or overlaps, in `tensorOrder`.
// Complexity: O(layers) to build the layout.

/// Hyper-parameters of a GPT-2-style model.
public struct GPTConfig: Sendable, Equatable, Codable {
    /// Vocabulary size V (rows of the token embedding and columns of the tied output head).
    public var vocabularySize: Int
    /// Maximum sequence length (rows of the position embedding).
    public var contextLength: Int
    /// Number of transformer blocks L.
    public var layers: Int
    /// Attention heads NH; `width` must be a multiple of it.
    public var heads: Int
    /// Residual-stream width C.
    public var width: Int

    public init(vocabularySize: Int, contextLength: Int, layers: Int, heads: Int, width: Int) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.layers = layers
        self.heads = heads
        self.width = width
    }

    /// Why the shape is unusable, or nil when it is fine.
    public var problem: String? {
        if vocabularySize < 1 { return "the vocabulary size must be at least 1" }
        if contextLength < 1 { return "the context length must be at least 1" }
        if layers < 1 { return "the model needs at least 1 layer" }
        if heads < 1 || width < 1 || width % heads != 0 { return "the width (\(width)) must be a positive multiple of the head count (\(heads))" }
        return nil
    }

    /// Parameters per tensor kind, in the contiguous layout's order.
    public enum Tensor: Int, CaseIterable, Sendable {
        case wte, wpe, ln1w, ln1b, qkvw, qkvb, attprojw, attprojb, ln2w, ln2b, fcw, fcb, fcprojw, fcprojb, lnfw, lnfb
    }

    /// Element count of each tensor kind (all layers together for the per-layer kinds).
    public func count(of tensor: Tensor) -> Int {
        let V = vocabularySize, T = contextLength, L = layers, C = width
        switch tensor {
        case .wte: return V * C
        case .wpe: return T * C
        case .ln1w, .ln1b, .ln2w, .ln2b, .attprojb, .fcprojb: return L * C
        case .qkvw: return L * 3 * C * C
        case .qkvb: return L * 3 * C
        case .attprojw: return L * C * C
        case .fcw, .fcprojw: return L * 4 * C * C
        case .fcb: return L * 4 * C
        case .lnfw, .lnfb: return C
        }
    }

    /// Offset of each tensor kind in the parameter buffer.
    public var offsets: [Int] {
        var o: [Int] = []
        var at = 0
        for t in Tensor.allCases { o.append(at); at += count(of: t) }
        return o
    }

    /// Total number of parameters.
    public var parameterCount: Int { Tensor.allCases.reduce(0) { $0 + count(of: $1) } }

    /// Whether AdamW decays a tensor: matrices and embeddings yes, biases and LayerNorm gains no (nanoGPT's rule).
    public static func isDecayed(_ tensor: Tensor) -> Bool {
        switch tensor {
        case .wte, .wpe, .qkvw, .attprojw, .fcw, .fcprojw: return true
        default: return false
        }
    }

    /// Forward FLOPs of one token at position context (matmuls + attention), the 6N-rule's basis:
    /// training costs about 3× this per token.
    public func forwardFLOPsPerToken(sequenceLength T: Int) -> Double {
        let C = Double(width), L = Double(layers), V = Double(vocabularySize)
        let matmuls = 2 * L * (3 * C * C + C * C + 8 * C * C) + 2 * C * V
        let attention = 2 * L * 2 * Double(T) * C   // full T×T scores and A·v as computed
        return matmuls + attention
    }
}
