// Token + position embedding (llm.c encoder_forward / encoder_backward).
// Invariant: encoderBackward is the adjoint of encoderForward; repeated tokens accumulate.
// Complexity: O(B·T·C).

extension CPUBackend {
    public func encoderForward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                               wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, B: Int, T: Int, C: Int) {
        for r in 0..<(B * T) {
            let o = out + r * C, e = wte + Int(tokens[r]) * C, p = wpe + (r % T) * C
            for i in 0..<C { o[i] = e[i] + p[i] }
        }
    }

    public func encoderBackward(dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>, B: Int, T: Int, C: Int) {
        for r in 0..<(B * T) {
            let d = dout + r * C, e = dwte + Int(tokens[r]) * C, p = dwpe + (r % T) * C
            for i in 0..<C { e[i] += d[i]; p[i] += d[i] }
        }
    }
}
