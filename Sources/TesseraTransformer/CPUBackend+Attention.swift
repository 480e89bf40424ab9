// Causal multi-head self-attention (Vaswani et al. 2017; GPT-2's masked attention), after llm.c
// attention_forward / attention_backward, with each head's three products done by sgemm reading q, k
// and v in place through the leading dimension 3C:
//   S = q·kᵀ/√hs (T×T)   A = softmax_row(S masked to j ≤ t)   y = A·v (T×hs)
// backward: dA = dy·vᵀ; dv += Aᵀ·dy; dS = A ⊙ (dA − rowsum(A ⊙ dA)); dq += dS·k/√hs; dk += dSᵀ·q/√hs.
// The full T×T product is computed and its upper triangle discarded: for the small T this runtime
// trains, one GEMM beats T short dot products. The (batch, head) pairs are independent (each writes its
// own columns of out / dqkv and its own att block), so workers take contiguous ranges of pairs.
// Invariant: att rows sum to 1 over j ≤ t and are 0 above the diagonal, so no position sees the future.
// Complexity: O(B·NH·T²·hs) time, O(B·NH·T²) saved activations.

import Foundation

extension CPUBackend {
    public func attentionForward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                                 qkv: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        forChunks(B * NH) { _, lo, hi in
            for bh in lo..<hi {
                let b = bh / NH, h = bh % NH
                let q = qkv + b * T * 3 * C + h * hs
                let k = q + C, v = q + 2 * C
                let a = att + bh * T * T
                gemm(transA: false, transB: true, M: T, N: T, K: hs, alpha: scale, q, lda: 3 * C, k, ldb: 3 * C,
                     beta: 0, a, ldc: T)
                for t in 0..<T { softmaxCausalRow(a + t * T, visible: t + 1, width: T) }
                gemm(transA: false, transB: false, M: T, N: hs, K: T, alpha: 1, a, lda: T, v, ldb: 3 * C,
                     beta: 0, out + b * T * C + h * hs, ldc: C)
            }
        }
    }

    public func attentionBackward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                  qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: workers(B * NH) * T * T)
        defer { scratch.deallocate() }
        forChunks(B * NH) { w, lo, hi in
            let datt = scratch + w * T * T
            for bh in lo..<hi {
                let b = bh / NH, h = bh % NH
                let off = b * T * 3 * C + h * hs
                let q = qkv + off, k = q + C, v = q + 2 * C
                let dq = dqkv + off, dk = dq + C, dv = dq + 2 * C
                let a = att + bh * T * T
                let dy = dout + b * T * C + h * hs
                gemm(transA: false, transB: true, M: T, N: T, K: hs, alpha: 1, dy, lda: C, v, ldb: 3 * C,
                     beta: 0, datt, ldc: T)
                gemm(transA: true, transB: false, M: T, N: hs, K: T, alpha: 1, a, lda: T, dy, ldb: C,
                     beta: 1, dv, ldc: 3 * C)
                // Softmax backward in place: datt becomes dS (zero above the diagonal).
                for t in 0..<T {
                    let ar = a + t * T, dr = datt + t * T
                    let dot = rowDot(ar, dr, t + 1)
                    for j in 0...t { dr[j] = ar[j] * (dr[j] - dot) }
                    (dr + t + 1).update(repeating: 0, count: T - t - 1)
                }
                gemm(transA: false, transB: false, M: T, N: hs, K: T, alpha: scale, datt, lda: T, k, ldb: 3 * C,
                     beta: 1, dq, ldc: 3 * C)
                gemm(transA: true, transB: false, M: T, N: hs, K: T, alpha: scale, datt, lda: T, q, ldb: 3 * C,
                     beta: 1, dk, ldc: 3 * C)
            }
        }
    }

    public func attentionCached(out: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, qStride: Int,
                                keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                                past: Int, n: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        let total = past + n
        // Heads go to workers only when each has enough arithmetic to pay for the hand-off (a prompt, not
        // one sampled token).
        let grain = max(1, (1 << 16) / max(1, n * total * hs))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: workers(NH, grain: grain) * n * total)
        defer { scratch.deallocate() }
        forChunks(NH, grain: grain) { w, lo, hi in
            let scores = scratch + w * n * total
            for h in lo..<hi {
                if n == 1 {
                    // One query (sampling): matrix-vector products read the cache once instead of packing it.
                    gemv(transposed: false, rows: total, columns: hs, alpha: scale, keys + h * hs, lda: C, q + h * hs,
                         beta: 0, scores)
                    softmaxCausalRow(scores, visible: total, width: total)
                    gemv(transposed: true, rows: total, columns: hs, alpha: 1, values + h * hs, lda: C, scores,
                         beta: 0, out + h * hs)
                    continue
                }
                gemm(transA: false, transB: true, M: n, N: total, K: hs, alpha: scale, q + h * hs, lda: qStride,
                     keys + h * hs, ldb: C, beta: 0, scores, ldc: total)
                for i in 0..<n { softmaxCausalRow(scores + i * total, visible: past + i + 1, width: total) }
                gemm(transA: false, transB: false, M: n, N: hs, K: total, alpha: 1, scores, lda: total,
                     values + h * hs, ldb: C, beta: 0, out + h * hs, ldc: C)
            }
        }
    }

    /// Softmax over the first `visible` entries of a row; the rest become 0 (the causal mask).
    @inline(__always)
    func softmaxCausalRow(_ row: UnsafeMutablePointer<Float>, visible: Int, width: Int) {
        // Three vectorised passes (max, exp, sum) over a row that stays in L1.
        let mx = rowMax(row, visible)
        for j in 0..<visible { row[j] = fastExp(row[j] - mx) }
        let inv = 1 / rowSum(row, visible)
        for j in 0..<visible { row[j] *= inv }
        (row + visible).update(repeating: 0, count: width - visible)
    }
}
