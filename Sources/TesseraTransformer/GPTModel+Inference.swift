// GPTModel+Inference: incremental decoding with a key/value cache (the inference path of GPT-2; see
// llama.cpp's KV cache), and the model's conformance to TokenLanguageModel.
// Each call runs only the new positions through the blocks: their keys and values are appended to
// the cache, their queries attend to every cached position up to their own.
// Invariant: appending a prefix in any split yields the same log-probabilities (up to float rounding)
// as the training forward pass over the whole prefix (tested in KVCacheTests).
// Complexity: O(n · L · (12C² + (past+n)·C) + C·V) for n appended tokens; cache memory 2·L·context·C floats.

import Foundation
import TesseraLM

/// The keys and values of one sequence, all layers.
public struct GPTCache: Sendable {
    /// Positions already in the cache.
    public internal(set) var length = 0
    /// Per layer, (context, C) keys then (context, C) values.
    var storage: [Float]
    let layerStride: Int

    init(config: GPTConfig) {
        layerStride = 2 * config.contextLength * config.width
        storage = [Float](repeating: 0, count: config.layers * layerStride)
    }
}

extension GPTModel: TokenLanguageModel {
    public var vocabularySize: Int { config.vocabularySize }
    public var contextLength: Int { config.contextLength }

    public func makeCache() -> GPTCache { GPTCache(config: config) }

    public func append(_ tokens: [LMToken], to cache: inout GPTCache) throws -> [Float] {
        let n = tokens.count, past = cache.length
        guard n >= 1 else { throw LMError.badShape("append needs at least one token") }
        guard cache.storage.count == config.layers * 2 * config.contextLength * config.width else {
            throw LMError.badShape("the cache was made by a model of another shape; use this model's makeCache()")
        }
        guard past + n <= config.contextLength else {
            throw LMError.badShape("\(past + n) tokens exceed the model's context of \(config.contextLength)")
        }
        for (i, t) in tokens.enumerated() where Int(t) >= config.vocabularySize {
            throw LMError.tokenOutOfRange(id: Int(t), position: past + i, vocabularySize: config.vocabularySize)
        }
        let C = config.width, NH = config.heads, V = config.vocabularySize, be = backend
        let ctx = config.contextLength
        // Scratch: x (n,C), h (n,C), qkv (n,3C), y (n,C), fc (n,4C), g (n,4C), mean/rstd (n).
        let scratch = be.allocate(n * (C * 4 + 3 * C + 8 * C + 2) + V)
        defer { be.deallocate(scratch) }
        let x = scratch, h = x + n * C, y = h + n * C, o = y + n * C, qkv = o + n * C
        let fc = qkv + n * 3 * C, g = fc + n * 4 * C, mean = g + n * 4 * C, rstd = mean + n, logits = rstd + n
        var ids = tokens.map { Int32($0) }
        ids.withUnsafeMutableBufferPointer { tok in
            for i in 0..<n {
                let e = parameter(.wte) + Int(tok[i]) * C, p = parameter(.wpe) + (past + i) * C
                for c in 0..<C { x[i * C + c] = e[c] + p[c] }
            }
        }
        cache.storage.withUnsafeMutableBufferPointer { store in
            for l in 0..<config.layers {
                let keys = store.baseAddress! + l * cache.layerStride, values = keys + ctx * C
                be.layerNormForward(out: h, mean: mean, rstd: rstd, inp: x, weight: parameter(.ln1w) + l * C,
                                    bias: parameter(.ln1b) + l * C, N: n, C: C)
                be.matmulForward(out: qkv, inp: h, weight: parameter(.qkvw) + l * 3 * C * C,
                                 bias: parameter(.qkvb) + l * 3 * C, N: n, C: C, OC: 3 * C)
                for i in 0..<n {
                    (keys + (past + i) * C).update(from: qkv + i * 3 * C + C, count: C)
                    (values + (past + i) * C).update(from: qkv + i * 3 * C + 2 * C, count: C)
                }
                be.attentionCached(out: y, q: qkv, qStride: 3 * C, keys: keys, values: values, past: past, n: n, C: C, NH: NH)
                be.matmulForward(out: o, inp: y, weight: parameter(.attprojw) + l * C * C,
                                 bias: parameter(.attprojb) + l * C, N: n, C: C, OC: C)
                be.accumulate(x, o, count: n * C)
                be.layerNormForward(out: h, mean: mean, rstd: rstd, inp: x, weight: parameter(.ln2w) + l * C,
                                    bias: parameter(.ln2b) + l * C, N: n, C: C)
                be.matmulForward(out: fc, inp: h, weight: parameter(.fcw) + l * 4 * C * C,
                                 bias: parameter(.fcb) + l * 4 * C, N: n, C: C, OC: 4 * C)
                be.geluForward(out: g, inp: fc, count: n * 4 * C)
                be.matmulForward(out: o, inp: g, weight: parameter(.fcprojw) + l * 4 * C * C,
                                 bias: parameter(.fcprojb) + l * C, N: n, C: 4 * C, OC: C)
                be.accumulate(x, o, count: n * C)
            }
        }
        cache.length = past + n
        // Only the last position's prediction is returned, so only its row goes through the head.
        let last = x + (n - 1) * C
        be.layerNormForward(out: h, mean: mean, rstd: rstd, inp: last, weight: parameter(.lnfw),
                            bias: parameter(.lnfb), N: 1, C: C)
        be.matmulForward(out: logits, inp: h, weight: parameter(.wte), bias: nil, N: 1, C: C, OC: V)
        return logSoftmax(logits, count: V)
    }

    public func logProbabilities(after prefixes: [[LMToken]]) throws -> [[Float]] {
        try prefixes.map { prefix in
            var cache = makeCache()
            return try append(prefix, to: &cache)
        }
    }
}

/// ln softmax of a row, via log-sum-exp.
func logSoftmax(_ row: UnsafePointer<Float>, count: Int) -> [Float] {
    var mx = -Float.infinity
    for i in 0..<count where row[i] > mx { mx = row[i] }
    var s: Double = 0
    for i in 0..<count { s += Double(expf(row[i] - mx)) }
    let lse = mx + Float(log(s))
    return (0..<count).map { row[$0] - lse }
}
