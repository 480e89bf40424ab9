// The machine's matrix-multiply peak as this backend sees it, so training throughput can be reported as a
// fraction of what OpenBLAS reaches on the same machine, with the same threads, in the same process: the
// best of a few square sgemm runs, each timed both ways a GEMM can use the threads — OpenBLAS's own
// threading (set to `threads` for the measurement, then back to 1) and the backend's row split over
// single-threaded calls. The larger is the peak (the stricter denominator).
// Invariant: the buffers are allocated once and hold fixed values (timing does not depend on data);
// OpenBLAS is back at one thread when it returns.
// Complexity: 2 · (repeats + 1) · 2n³ FLOPs.

import COpenBLAS
import Foundation

extension CPUBackend {
    /// GFLOP/s of the fastest of `repeats` n×n×n sgemm calls (after one warm-up call), the best of
    /// OpenBLAS's threading and the backend's.
    public func measureSgemmPeak(size n: Int = 1024, repeats: Int = 5) -> Double {
        let a = allocate(n * n), b = allocate(n * n), c = allocate(n * n)
        defer { deallocate(a); deallocate(b); deallocate(c) }
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        let clock = ContinuousClock()
        func best(_ run: () -> Void) -> Double {
            var fastest = Double.infinity
            for r in 0...repeats {
                let t0 = clock.now
                run()
                let s = seconds(clock.now - t0)
                if r > 0 { fastest = min(fastest, s) }
            }
            return 2 * Double(n) * Double(n) * Double(n) / fastest / 1e9
        }
        openblas_set_num_threads(Int32(threads))
        let own = best {
            gemm(transA: false, transB: false, M: n, N: n, K: n, alpha: 1, a, lda: n, b, ldb: n, beta: 0, c, ldc: n)
        }
        openblas_set_num_threads(1)
        let split = best {
            forChunks(n, grain: Self.rowGrain) { _, lo, hi in
                gemm(transA: false, transB: false, M: hi - lo, N: n, K: n, alpha: 1, a + lo * n, lda: n, b, ldb: n,
                     beta: 0, c + lo * n, ldc: n)
            }
        }
        return max(own, split)
    }
}

/// Peak resident memory of this process in bytes (getrusage ru_maxrss, KiB on Linux).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
