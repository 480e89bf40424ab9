// Linear layer out = inp · Wᵀ + b on OpenBLAS (llm.c matmul_forward / matmul_backward, with the loops
// replaced by sgemm calls). W is (OC, C), the torch.nn.Linear layout; transposes are sgemm flags, never copies.
// Work split: the forward pass and dinp by rows of the batch (by output columns, with sgemv for a single row, when there are too few
// rows, as in one-token inference); dweight and dbias by output channels, so no two workers touch one
// element and nothing needs a reduction.
// Invariant: backward accumulates (beta = 1) into dinp, dweight and dbias.
// Complexity: forward one GEMM of 2·N·C·OC FLOPs; backward two.

extension CPUBackend {
    /// Rows per worker below which the forward pass splits output columns instead.
    static let rowGrain = 32

    public func matmulForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                              weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, N: Int, C: Int, OC: Int) {
        let beta: Float = bias == nil ? 0 : 1
        if N > 1 && workers(N, grain: Self.rowGrain) >= workers(OC, grain: 64) {
            forChunks(N, grain: Self.rowGrain) { _, lo, hi in
                let o = out + lo * OC
                if let bias { for r in 0..<(hi - lo) { (o + r * OC).update(from: bias, count: OC) } }
                gemm(transA: false, transB: true, M: hi - lo, N: OC, K: C, alpha: 1, inp + lo * C, lda: C, weight, ldb: C,
                     beta: beta, o, ldc: OC)
            }
        } else {
            forChunks(OC, grain: 64) { _, lo, hi in
                if let bias { for r in 0..<N { (out + r * OC + lo).update(from: bias + lo, count: hi - lo) } }
                if N == 1 {
                    // One row (a sampled token): sgemv reads W once; sgemm would first pack all of W into a
                    // buffer (40 % of sampling time in the profile).
                    gemv(transposed: false, rows: hi - lo, columns: C, alpha: 1, weight + lo * C, lda: C, inp,
                         beta: beta, out + lo)
                } else {
                    gemm(transA: false, transB: true, M: N, N: hi - lo, K: C, alpha: 1, inp, lda: C, weight + lo * C, ldb: C,
                         beta: beta, out + lo, ldc: OC)
                }
            }
        }
    }

    public func matmulBackward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                               dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                               inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, N: Int, C: Int, OC: Int) {
        forChunks(N, grain: Self.rowGrain) { _, lo, hi in
            gemm(transA: false, transB: false, M: hi - lo, N: C, K: OC, alpha: 1, dout + lo * OC, lda: OC, weight, ldb: C,
                 beta: 1, dinp + lo * C, ldc: C)
        }
        forChunks(OC, grain: 16) { _, lo, hi in
            // Rows lo..<hi of dweight from columns lo..<hi of dout (doutᵀ through the transpose flag).
            gemm(transA: true, transB: false, M: hi - lo, N: C, K: N, alpha: 1, dout + lo, lda: OC, inp, ldb: C,
                 beta: 1, dweight + lo * C, ldc: C)
            if let dbias {
                for r in 0..<N {
                    let d = dout + r * OC
                    for o in lo..<hi { dbias[o] += d[o] }
                }
            }
        }
    }
}
