// LayerNorm over the last axis (Ba, Kiros & Hinton 2016; GPT-2's eps 1e-5, biased variance), after
// llm.c layernorm_forward / layernorm_backward. The backward pass uses the closed form
// dx = rstd · (dn − mean(dn) − n · mean(dn · n)) with n the normalised input and dn = dout · weight.
// Rows go to workers; dweight and dbias (sums over rows) are accumulated per worker and added to the
// gradient in worker order.
// Invariant: mean and rstd written by the forward pass are exactly those the backward pass needs.
// Complexity: O(N·C).

extension CPUBackend {
    public func layerNormForward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                 weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, N: Int, C: Int) {
        let invC = 1 / Float(C)
        forChunks(N, grain: 64) { _, lo, hi in
            for r in lo..<hi {
                let x = inp + r * C
                let m = rowSum(x, C) * invC
                let v = rowSquaredDeviation(x, C, from: m)
                let rs = 1 / (v * invC + 1e-5).squareRoot()
                let o = out + r * C
                for i in 0..<C { o[i] = (x[i] - m) * rs * weight[i] + bias[i] }
                mean[r] = m
                rstd[r] = rs
            }
        }
    }

    public func layerNormBackward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                  dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                  inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                  mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, N: Int, C: Int) {
        let invC = 1 / Float(C)
        let workers = workers(N, grain: 64)
        let partial = allocate(workers * 4 * C)
        defer { deallocate(partial) }
        forChunks(N, grain: 64) { w, lo, hi in
            let pw = partial + w * 4 * C, pb = pw + C, dn = pb + C, nr = dn + C
            for r in lo..<hi {
                let x = inp + r * C, d = dout + r * C, dx = dinp + r * C
                let m = mean[r], rs = rstd[r]
                // dn = w·d and n = (x − m)·rs as rows, so both means are vectorised reductions.
                for i in 0..<C { dn[i] = weight[i] * d[i]; nr[i] = (x[i] - m) * rs }
                let dnormMean = rowSum(dn, C) * invC
                let dnormNormMean = rowDot(dn, nr, C) * invC
                for i in 0..<C {
                    let n = nr[i]
                    pb[i] += d[i]
                    pw[i] += n * d[i]
                    dx[i] += (dn[i] - dnormMean - n * dnormNormMean) * rs
                }
            }
        }
        for w in 0..<workers {
            let pw = partial + w * 4 * C, pb = pw + C
            for i in 0..<C { dweight[i] += pw[i]; dbias[i] += pb[i] }
        }
    }
}
