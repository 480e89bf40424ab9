// GELU, tanh approximation (Hendrycks & Gimpel 2016; GPT-2's "gelu_new"), after llm.c gelu_forward /
// gelu_backward: d/dx [0.5x(1 + tanh u)] = 0.5(1 + tanh u) + 0.5x·sech²u·u′, u = √(2/π)(x + 0.044715x³).
// tanh is a clamped odd/even rational approximation (the form Eigen uses for float tanh: degree-13
// numerator, degree-6 denominator, exact to float rounding on [−9, 9] and ±1 outside): unlike libm's
// tanhf it has no branches or calls, so the loops vectorise; libm's tanhf made GELU a quarter of a
// training step. GELUTests checks it against Foundation's tanh.
// Index ranges go to workers.
// Invariant: geluBackward is the derivative of geluForward at the saved input. Complexity: O(count).

import Foundation

private let geluScale = Float((2.0 / Double.pi).squareRoot())

/// tanh(x) to within a few float ulps, branch-free (see the file header).
@inline(__always)
func fastTanh(_ x0: Float) -> Float {
    let x = min(max(x0, -9), 9)
    let x2 = x * x
    var p: Float = -2.76076847742355e-16
    p = p * x2 + 2.00018790482477e-13
    p = p * x2 + -8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    p *= x
    var q: Float = 1.19825839466702e-06
    q = q * x2 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    return p / q
}

extension CPUBackend {
    public func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        forChunks(count, grain: 1 << 14) { _, lo, hi in
            for i in lo..<hi {
                let x = inp[i]
                let u = geluScale * (x + 0.044715 * x * x * x)
                out[i] = 0.5 * x * (1 + fastTanh(u))
            }
        }
    }

    public func geluBackward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                             dout: UnsafePointer<Float>, count: Int) {
        forChunks(count, grain: 1 << 14) { _, lo, hi in
            for i in lo..<hi {
                let x = inp[i]
                let u = geluScale * (x + 0.044715 * x * x * x)
                let th = fastTanh(u)
                let sech2 = 1 - th * th
                let local = 0.5 * (1 + th) + 0.5 * x * sech2 * geluScale * (1 + 3 * 0.044715 * x * x)
                dinp[i] += local * dout[i]
            }
        }
    }
}
