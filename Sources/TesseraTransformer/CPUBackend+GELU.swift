// GELU, tanh approximation (Hendrycks & Gimpel 2016; GPT-2's "gelu_new"), after llm.c gelu_forward /
// gelu_backward: d/dx [0.5x(1 + tanh u)] = 0.5(1 + tanh u) + 0.5x·sech²u·u′, u = √(2/π)(x + 0.044715x³).
// Invariant: geluBackward is the derivative of geluForward at the saved input. Complexity: O(count).

import Foundation

private let geluScale = Float((2.0 / Double.pi).squareRoot())

extension CPUBackend {
    public func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = inp[i]
            let u = geluScale * (x + 0.044715 * x * x * x)
            out[i] = 0.5 * x * (1 + tanhf(u))
        }
    }

    public func geluBackward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                             dout: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = inp[i]
            let u = geluScale * (x + 0.044715 * x * x * x)
            let th = tanhf(u)
            let sech2 = 1 - th * th
            let local = 0.5 * (1 + th) + 0.5 * x * sech2 * geluScale * (1 + 3 * 0.044715 * x * x)
            dinp[i] += local * dout[i]
        }
    }
}
