// Token + position embedding (llm.c encoder_forward / encoder_backward). Forward: rows go to workers.
// Backward: a token can repeat within a batch, so rows would race on dwte; workers take channel ranges
// instead (every row, their own columns).
// Invariant: encoderBackward is the adjoint of encoderForward; repeated tokens accumulate.
// Complexity: O(B·T·C).

extension CPUBackend {
    public func encoderForward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                               wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, B: Int, T: Int, C: Int) {
        forChunks(B * T, grain: 64) { _, lo, hi in
            for r in lo..<hi {
                let o = out + r * C, e = wte + Int(tokens[r]) * C, p = wpe + (r % T) * C
                for i in 0..<C { o[i] = e[i] + p[i] }
            }
        }
    }

    public func encoderBackward(dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int) {
        forChunks(C, grain: 16) { _, lo, hi in
            for r in 0..<(B * T) {
                let d = dout + r * C, e = dwte + Int(tokens[r]) * C, p = dwpe + (r % T) * C
                for i in lo..<hi { e[i] += d[i]; p[i] += d[i] }
            }
        }
    }
}
