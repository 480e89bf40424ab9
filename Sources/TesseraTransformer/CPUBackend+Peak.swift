// The machine's matrix-multiply peak as this backend sees it: the best of a few square sgemm runs,
// so training throughput can be reported as a fraction of what OpenBLAS reaches on the same machine,
// with the same threads, in the same process.
// Invariant: the buffers are allocated once and hold fixed values (timing does not depend on data).
// Complexity: repeats · 2n³ FLOPs.

import Foundation

extension CPUBackend {
    /// GFLOP/s of the fastest of `repeats` n×n×n sgemm calls (after one warm-up call).
    public func measureSgemmPeak(size n: Int = 1024, repeats: Int = 5) -> Double {
        let a = allocate(n * n), b = allocate(n * n), c = allocate(n * n)
        defer { deallocate(a); deallocate(b); deallocate(c) }
        for i in 0..<(n * n) { a[i] = Float(i % 7) * 0.1; b[i] = Float(i % 5) * 0.1 }
        let clock = ContinuousClock()
        var best = Double.infinity
        for r in 0...repeats {
            let t0 = clock.now
            gemm(transA: false, transB: false, M: n, N: n, K: n, alpha: 1, a, lda: n, b, ldb: n, beta: 0, c, ldc: n)
            let s = seconds(clock.now - t0)
            if r > 0 { best = min(best, s) }
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }
}

/// Peak resident memory of this process in bytes (getrusage ru_maxrss, KiB on Linux).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
