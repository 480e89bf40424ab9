// Causal multi-head self-attention (Vaswani et al. 2017; GPT-2's masked attention), after llm.c
// attention_forward / attention_backward, with each head's three products done by sgemm reading q, k
// and v in place through the leading dimension 3C:
//   S = q·kᵀ/√hs (T×T)   A = softmax_row(S masked to j ≤ t)   y = A·v (T×hs)
// backward: dA = dy·vᵀ; dv += Aᵀ·dy; dS = A ⊙ (dA − rowsum(A ⊙ dA)); dq += dS·k/√hs; dk += dSᵀ·q/√hs.
// The full T×T product is computed and its upper triangle discarded: for the small T this runtime
// trains, one GEMM beats T short dot products.
// Invariant: att rows sum to 1 over j ≤ t and are 0 above the diagonal, so no position sees the future.
// Complexity: O(B·NH·T²·hs) time, O(B·NH·T²) saved activations.

import Foundation

extension CPUBackend {
    public func attentionForward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                                 qkv: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        for b in 0..<B {
            for h in 0..<NH {
                let q = qkv + b * T * 3 * C + h * hs
                let k = q + C, v = q + 2 * C
                let a = att + (b * NH + h) * T * T
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
        let datt = UnsafeMutablePointer<Float>.allocate(capacity: T * T)
        defer { datt.deallocate() }
        for b in 0..<B {
            for h in 0..<NH {
                let off = b * T * 3 * C + h * hs
                let q = qkv + off, k = q + C, v = q + 2 * C
                let dq = dqkv + off, dk = dq + C, dv = dq + 2 * C
                let a = att + (b * NH + h) * T * T
                let dy = dout + b * T * C + h * hs
                gemm(transA: false, transB: true, M: T, N: T, K: hs, alpha: 1, dy, lda: C, v, ldb: 3 * C,
                     beta: 0, datt, ldc: T)
                gemm(transA: true, transB: false, M: T, N: hs, K: T, alpha: 1, a, lda: T, dy, ldb: C,
                     beta: 1, dv, ldc: 3 * C)
                // Softmax backward in place: datt becomes dS (zero above the diagonal).
                for t in 0..<T {
                    let ar = a + t * T, dr = datt + t * T
                    var dot: Float = 0
                    for j in 0...t { dot += ar[j] * dr[j] }
                    for j in 0...t { dr[j] = ar[j] * (dr[j] - dot) }
                    for j in (t + 1)..<T { dr[j] = 0 }
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
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: n * total)
        defer { scores.deallocate() }
        for h in 0..<NH {
            gemm(transA: false, transB: true, M: n, N: total, K: hs, alpha: scale, q + h * hs, lda: qStride,
                 keys + h * hs, ldb: C, beta: 0, scores, ldc: total)
            for i in 0..<n { softmaxCausalRow(scores + i * total, visible: past + i + 1, width: total) }
            gemm(transA: false, transB: false, M: n, N: hs, K: total, alpha: 1, scores, lda: total,
                 values + h * hs, ldb: C, beta: 0, out + h * hs, ldc: C)
        }
    }

    /// Softmax over the first `visible` entries of a row; the rest become 0 (the causal mask).
    @inline(__always)
    func softmaxCausalRow(_ row: UnsafeMutablePointer<Float>, visible: Int, width: Int) {
        var mx = -Float.infinity
        for j in 0..<visible where row[j] > mx { mx = row[j] }
        var s: Float = 0
        for j in 0..<visible { let e = expf(row[j] - mx); row[j] = e; s += e }
        let inv = 1 / s
        for j in 0..<visible { row[j] *= inv }
        for j in visible..<width { row[j] = 0 }
    }
}
