// Linear layer out = inp · Wᵀ + b on OpenBLAS (llm.c matmul_forward / matmul_backward, with the loops
// replaced by sgemm calls). W is (OC, C), the torch.nn.Linear layout.
// Invariant: backward accumulates (beta = 1) into dinp and dweight.
// Complexity: forward one GEMM of 2·N·C·OC FLOPs; backward two.

extension CPUBackend {
    public func matmulForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                              weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, N: Int, C: Int, OC: Int) {
        if let bias {
            for r in 0..<N { (out + r * OC).update(from: bias, count: OC) }
        }
        gemm(transA: false, transB: true, M: N, N: OC, K: C, alpha: 1, inp, lda: C, weight, ldb: C,
             beta: bias == nil ? 0 : 1, out, ldc: OC)
    }

    public func matmulBackward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                               dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                               inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, N: Int, C: Int, OC: Int) {
        gemm(transA: false, transB: false, M: N, N: C, K: OC, alpha: 1, dout, lda: OC, weight, ldb: C,
             beta: 1, dinp, ldc: C)
        gemm(transA: true, transB: false, M: OC, N: C, K: N, alpha: 1, dout, lda: OC, inp, ldb: C,
             beta: 1, dweight, ldc: C)
        if let dbias {
            for r in 0..<N {
                let d = dout + r * OC
                for o in 0..<OC { dbias[o] += d[o] }
            }
        }
    }
}
