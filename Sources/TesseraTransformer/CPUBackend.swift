// CPUBackend: the ComputeBackend on the host. Matrix products (≫ 90 % of a GPT step's FLOPs) go to
// OpenBLAS `cblas_sgemm`, including the per-head attention products, which read q, k and v in place
// through the leading dimension (3C) instead of copying heads out. Everything else is a plain loop over
// raw buffers that the compiler vectorises; kernels follow llm.c's train_gpt2.c forward/backward pairs.
//
// Threads: the backend splits every kernel itself over `threads` workers (contiguous row, column, head
// or index ranges, one GCD `concurrentPerform` per kernel) and each worker calls OpenBLAS single-threaded.
// Letting OpenBLAS thread each GEMM instead left every elementwise kernel on one core and spent 13 % of
// the cycles in OpenBLAS's thread hand-offs between the ~100 mid-sized GEMMs of a step
// (docs/algorithms/transformer-runtime.md, "Performance").
// Invariant: see ComputeBackend (forward overwrites, backward accumulates); every output element is
// written by exactly one worker, and reductions across workers are added in worker order, so a run is
// deterministic for a given thread count.
// Complexity: per kernel, as documented on ComputeBackend.

import COpenBLAS
import Dispatch
import Foundation

/// The OpenBLAS-backed CPU implementation of every kernel.
public final class CPUBackend: ComputeBackend, @unchecked Sendable {
    /// Workers every kernel is split over.
    public let threads: Int

    /// - Parameter threads: workers per kernel. OpenBLAS itself is set to one thread (a process-wide
    ///   setting in OpenBLAS), since the backend parallelises around it.
    public init(threads: Int = 1) {
        self.threads = max(1, threads)
        openblas_set_num_threads(1)
    }

    public var name: String { "cpu-openblas, \(threads) thread\(threads == 1 ? "" : "s")" }

    public func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        return p
    }

    public func deallocate(_ buffer: UnsafeMutablePointer<Float>) { buffer.deallocate() }

    public func zero(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        forChunks(count, grain: 1 << 16) { _, lo, hi in (buffer + lo).update(repeating: 0, count: hi - lo) }
    }

    public func copy(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        destination.update(from: source, count: count)
    }

    /// Calls `body(worker, lo, hi)` for contiguous chunks of `0..<count`, one per worker, with at least
    /// `grain` items per worker (small kernels stay on the calling thread: a hand-off costs microseconds).
    @inline(__always)
    func forChunks(_ count: Int, grain: Int = 1, _ body: (_ worker: Int, _ lo: Int, _ hi: Int) -> Void) {
        let workers = max(1, min(threads, count / max(grain, 1)))
        if workers == 1 {
            if count > 0 { body(0, 0, count) }
            return
        }
        let chunk = (count + workers - 1) / workers
        withoutActuallyEscaping(body) { body in
            // Workers write disjoint ranges of raw buffers; the closure is only called during concurrentPerform.
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = w * chunk, hi = min(count, lo + chunk)
                if lo < hi { work(w, lo, hi) }
            }
        }
    }

    /// The number of workers `forChunks(count, grain:)` uses (for per-worker scratch space).
    func workers(_ count: Int, grain: Int = 1) -> Int { max(1, min(threads, count / max(grain, 1))) }

    /// C (M,N) = alpha · op(A) · op(B) + beta · C, row-major with explicit leading dimensions.
    @inline(__always)
    func gemm(transA: Bool, transB: Bool, M: Int, N: Int, K: Int, alpha: Float,
              _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
              beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(M), blasint(N), blasint(K), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// y = alpha · op(A) · x + beta · y with A (rows × columns) row-major, op(A) = Aᵀ when `transposed`.
    @inline(__always)
    func gemv(transposed: Bool, rows: Int, columns: Int, alpha: Float, _ a: UnsafePointer<Float>, lda: Int,
              _ x: UnsafePointer<Float>, beta: Float, _ y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, blasint(rows), blasint(columns), alpha,
                    a, blasint(lda), x, 1, beta, y, 1)
    }

    // MARK: elementwise

    public func add(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, count: Int) {
        forChunks(count, grain: 1 << 15) { _, lo, hi in for i in lo..<hi { out[i] = a[i] + b[i] } }
    }

    public func accumulate(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        forChunks(count, grain: 1 << 15) { _, lo, hi in for i in lo..<hi { y[i] += x[i] } }
    }

    public func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var partial = [Double](repeating: 0, count: threads)
        partial.withUnsafeMutableBufferPointer { slots in
            let out = slots.baseAddress!
            forChunks(count, grain: 1 << 16) { w, lo, hi in
                var total = 0.0
                var i = lo
                // Float SIMD sums over blocks of 1024 stay fast; double across blocks keeps the total
                // accurate for millions of parameters.
                while i < hi {
                    let end = min(i + 1024, hi)
                    total += Double(rowDot(x + i, x + i, end - i))
                    i = end
                }
                out[w] = total
            }
        }
        return partial.reduce(0, +)
    }
}
