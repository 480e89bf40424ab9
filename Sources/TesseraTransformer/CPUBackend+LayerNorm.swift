// LayerNorm over the last axis (Ba, Kiros & Hinton 2016; GPT-2's eps 1e-5, biased variance), after
// llm.c layernorm_forward / layernorm_backward. The backward pass uses the closed form
// dx = rstd · (dn − mean(dn) − n · mean(dn · n)) with n the normalised input and dn = dout · weight.
// Invariant: mean and rstd written by the forward pass are exactly those the backward pass needs.
// Complexity: O(N·C).

extension CPUBackend {
    public func layerNormForward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                 weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, N: Int, C: Int) {
        let invC = 1 / Float(C)
        for r in 0..<N {
            let x = inp + r * C
            var s: Float = 0
            for i in 0..<C { s += x[i] }
            let m = s * invC
            var v: Float = 0
            for i in 0..<C { let d = x[i] - m; v += d * d }
            let rs = 1 / (v * invC + 1e-5).squareRoot()
            let o = out + r * C
            for i in 0..<C { o[i] = (x[i] - m) * rs * weight[i] + bias[i] }
            mean[r] = m
            rstd[r] = rs
        }
    }

    public func layerNormBackward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                  dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                  inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                  mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, N: Int, C: Int) {
        let invC = 1 / Float(C)
        for r in 0..<N {
            let x = inp + r * C, d = dout + r * C, dx = dinp + r * C
            let m = mean[r], rs = rstd[r]
            var dnormMean: Float = 0, dnormNormMean: Float = 0
            for i in 0..<C {
                let n = (x[i] - m) * rs
                let dn = weight[i] * d[i]
                dnormMean += dn
                dnormNormMean += dn * n
            }
            dnormMean *= invC
            dnormNormMean *= invC
            for i in 0..<C {
                let n = (x[i] - m) * rs
                dbias[i] += d[i]
                dweight[i] += n * d[i]
                dx[i] += (weight[i] * d[i] - dnormMean - n * dnormNormMean) * rs
            }
        }
    }
}
