// CPUBackend: the ComputeBackend on the host. Matrix products (≫ 90 % of a GPT step's FLOPs) go to
// OpenBLAS `cblas_sgemm`, including the per-head attention products, which read q, k and v in place
// through the leading dimension (3C) instead of copying heads out. Everything else is a plain loop over
// raw buffers that the compiler vectorises; kernels follow llm.c's train_gpt2.c forward/backward pairs.
//
// Invariant: see ComputeBackend (forward overwrites, backward accumulates).
// Complexity: per kernel, as documented on ComputeBackend. Threads: OpenBLAS gets `threads`; the
// elementwise kernels run on the calling thread (they are memory-bound and small next to the GEMMs).

import COpenBLAS
import Foundation

/// The OpenBLAS-backed CPU implementation of every kernel.
public final class CPUBackend: ComputeBackend, @unchecked Sendable {
    /// OpenBLAS threads used by every GEMM.
    public let threads: Int

    /// - Parameter threads: OpenBLAS threads (process-wide setting in OpenBLAS).
    public init(threads: Int = 1) {
        self.threads = max(1, threads)
        openblas_set_num_threads(Int32(self.threads))
    }

    public var name: String { "cpu-openblas, \(threads) thread\(threads == 1 ? "" : "s")" }

    public func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        return p
    }

    public func deallocate(_ buffer: UnsafeMutablePointer<Float>) { buffer.deallocate() }

    public func zero(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        buffer.update(repeating: 0, count: count)
    }

    public func copy(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        destination.update(from: source, count: count)
    }

    /// C (M,N) = alpha · op(A) · op(B) + beta · C, row-major with explicit leading dimensions.
    @inline(__always)
    func gemm(transA: Bool, transB: Bool, M: Int, N: Int, K: Int, alpha: Float,
              _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
              beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(M), blasint(N), blasint(K), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    // MARK: elementwise

    public func add(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    public func accumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        cblas_saxpy(blasint(count), 1, x, 1, y, 1)
    }

    public func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        var i = 0
        // Float partial sums over blocks of 1024 keep the loop vectorised; double across blocks keeps
        // the total accurate for millions of parameters.
        while i < count {
            let end = min(i + 1024, count)
            var s: Float = 0
            for j in i..<end { s += x[j] * x[j] }
            total += Double(s)
            i = end
        }
        return total
    }
}
