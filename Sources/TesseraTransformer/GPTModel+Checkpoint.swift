// GPTModel+Checkpoint: model weights as safetensors under the Hugging Face GPT-2 names
// (transformers' GPT2Model: wte, wpe, h.{i}.ln_1, h.{i}.attn.c_attn, …, ln_f), so that real GPT-2
// family checkpoints load and ours load in transformers. HF's Conv1D stores weights (in, out), the
// transpose of our (out, in) layout, so c_attn, c_proj and c_fc are transposed on the way in and out
// (what nanoGPT's from_pretrained does). A `transformer.` prefix is accepted; lm_head is tied and
// absent; the causal-mask buffers some old checkpoints carry (h.{i}.attn.bias / masked_bias) are ignored.
// Training state (step, AdamW moments) goes to a separate file, so the model file stays a plain HF one.
//
// Invariant: save then load reproduces every parameter bit for bit. Complexity: O(parameters).

import Foundation
import TesseraFormats

/// How one HF tensor maps onto the parameter buffer.
struct HFTensorMap {
    let name: String
    let tensor: GPTConfig.Tensor
    let offset: Int          // elements from the start of the tensor kind
    let shape: [Int]         // HF shape
    let transposed: Bool     // HF (in, out) vs ours (out, in)
}

extension GPTConfig {
    /// The HF GPT-2 tensors of this shape, in a stable order.
    var hfTensors: [HFTensorMap] {
        let C = width
        var m = [HFTensorMap(name: "wte.weight", tensor: .wte, offset: 0, shape: [vocabularySize, C], transposed: false),
                 HFTensorMap(name: "wpe.weight", tensor: .wpe, offset: 0, shape: [contextLength, C], transposed: false)]
        for l in 0..<layers {
            let p = "h.\(l)."
            m += [HFTensorMap(name: p + "ln_1.weight", tensor: .ln1w, offset: l * C, shape: [C], transposed: false),
                  HFTensorMap(name: p + "ln_1.bias", tensor: .ln1b, offset: l * C, shape: [C], transposed: false),
                  HFTensorMap(name: p + "attn.c_attn.weight", tensor: .qkvw, offset: l * 3 * C * C, shape: [C, 3 * C], transposed: true),
                  HFTensorMap(name: p + "attn.c_attn.bias", tensor: .qkvb, offset: l * 3 * C, shape: [3 * C], transposed: false),
                  HFTensorMap(name: p + "attn.c_proj.weight", tensor: .attprojw, offset: l * C * C, shape: [C, C], transposed: true),
                  HFTensorMap(name: p + "attn.c_proj.bias", tensor: .attprojb, offset: l * C, shape: [C], transposed: false),
                  HFTensorMap(name: p + "ln_2.weight", tensor: .ln2w, offset: l * C, shape: [C], transposed: false),
                  HFTensorMap(name: p + "ln_2.bias", tensor: .ln2b, offset: l * C, shape: [C], transposed: false),
                  HFTensorMap(name: p + "mlp.c_fc.weight", tensor: .fcw, offset: l * 4 * C * C, shape: [C, 4 * C], transposed: true),
                  HFTensorMap(name: p + "mlp.c_fc.bias", tensor: .fcb, offset: l * 4 * C, shape: [4 * C], transposed: false),
                  HFTensorMap(name: p + "mlp.c_proj.weight", tensor: .fcprojw, offset: l * 4 * C * C, shape: [4 * C, C], transposed: true),
                  HFTensorMap(name: p + "mlp.c_proj.bias", tensor: .fcprojb, offset: l * C, shape: [C], transposed: false)]
        }
        m += [HFTensorMap(name: "ln_f.weight", tensor: .lnfw, offset: 0, shape: [C], transposed: false),
              HFTensorMap(name: "ln_f.bias", tensor: .lnfb, offset: 0, shape: [C], transposed: false)]
        return m
    }
}

extension GPTModel {
    /// A buffer (parameters or gradients) as HF-named tensors.
    func hfTensors(of buffer: UnsafeMutablePointer<Float>) -> [String: NamedTensor] {
        var out: [String: NamedTensor] = [:]
        for t in config.hfTensors {
            let src = buffer + offsets[t.tensor.rawValue] + t.offset
            let n = t.shape.reduce(1, *)
            var values = [Float](repeating: 0, count: n)
            if t.transposed {
                let rows = t.shape[0], cols = t.shape[1]     // HF (in, out); ours (out, in) = (cols, rows)
                for i in 0..<rows { for o in 0..<cols { values[i * cols + o] = src[o * rows + i] } }
            } else {
                for i in 0..<n { values[i] = src[i] }
            }
            out[t.name] = NamedTensor(shape: t.shape, values: values)
        }
        return out
    }

    /// The weights as a safetensors file with HF GPT-2 names; `n_head`, `n_ctx`, `n_layer`, `n_embd`,
    /// `vocab_size` in the metadata.
    public func checkpoint() -> SafetensorsFile {
        let shape = ["format": "pt", "n_head": String(config.heads), "n_layer": String(config.layers),
                     "n_embd": String(config.width), "n_ctx": String(config.contextLength),
                     "vocab_size": String(config.vocabularySize)]
        return SafetensorsFile(tensors: hfTensors(of: parameters), metadata: info.merging(shape) { _, fixed in fixed })
    }

    /// The gradients under the same names as `checkpoint()` (for differential tests against references).
    public func gradientTensors() -> [String: NamedTensor] { hfTensors(of: gradients) }

    /// Saves the weights atomically.
    public func save(to path: String) throws { try checkpoint().write(to: path) }

    /// Loads a GPT-2 safetensors checkpoint.
    /// - Parameters:
    ///   - heads: the attention head count; needed when the file has no `n_head` metadata (HF files keep it in config.json).
    ///   - contextLength: use only the first rows of `wpe` (nil: all of them).
    /// - Throws: `FormatError` for a missing, corrupt or inconsistent file.
    public static func load(from path: String, heads: Int? = nil, backend: any ComputeBackend) throws -> GPTModel {
        let file = try SafetensorsFile.read(path)
        var tensors = file.tensors
        if tensors["wte.weight"] == nil && tensors["transformer.wte.weight"] != nil {
            var stripped: [String: NamedTensor] = [:]
            for (k, v) in tensors where k.hasPrefix("transformer.") { stripped[String(k.dropFirst(12))] = v }
            tensors = stripped
        }
        guard let wte = tensors["wte.weight"], wte.shape.count == 2, let wpe = tensors["wpe.weight"], wpe.shape.count == 2 else {
            throw FormatError(.invalidValue, file: path, at: .field("wte.weight"),
                              "is not a GPT-2 checkpoint: it needs 2-D wte.weight and wpe.weight tensors",
                              fix: "give a safetensors file written by `tessera lm train` or a Hugging Face GPT-2 model")
        }
        var layers = 0
        while tensors["h.\(layers).ln_1.weight"] != nil { layers += 1 }
        let nh = heads ?? file.metadata["n_head"].flatMap { Int($0) }
        guard let nh else {
            throw FormatError(.invalidValue, file: path, at: .field("__metadata__.n_head"),
                              "does not say how many attention heads the model has",
                              fix: "pass the head count (--heads; Hugging Face keeps it in config.json as n_head)")
        }
        let config = GPTConfig(vocabularySize: wte.shape[0], contextLength: wpe.shape[0], layers: layers, heads: nh, width: wte.shape[1])
        if let problem = config.problem {
            throw FormatError(.invalidValue, file: path, "describes an unusable model: \(problem)",
                              fix: "check the head count and that every h.{i} block is present")
        }
        let model = GPTModel(config: config, backend: backend)
        try model.loadTensors(tensors, from: path)
        model.info = file.metadata.filter { !["format", "n_head", "n_layer", "n_embd", "n_ctx", "vocab_size"].contains($0.key) }
        return model
    }

    /// Copies HF-named tensors into the parameters, checking each shape.
    func loadTensors(_ tensors: [String: NamedTensor], from path: String) throws {
        for t in config.hfTensors {
            guard let v = tensors[t.name] else {
                throw FormatError(.invalidValue, file: path, at: .field(t.name), "is missing",
                                  fix: "the checkpoint is incomplete or from a different architecture")
            }
            guard v.shape == t.shape else {
                throw FormatError(.invalidValue, file: path, at: .field(t.name),
                                  "has shape \(v.shape) but the model needs \(t.shape)",
                                  fix: "the checkpoint does not match the model's shape")
            }
            let dst = parameters + offsets[t.tensor.rawValue] + t.offset
            if t.transposed {
                let rows = t.shape[0], cols = t.shape[1]
                for i in 0..<rows { for o in 0..<cols { dst[o * rows + i] = v.values[i * cols + o] } }
            } else {
                for i in 0..<v.values.count { dst[i] = v.values[i] }
            }
        }
    }
}
