// Finite-difference gradient checking for the kernels: the scalar loss is Σ out · r for a fixed random
// r, so the backward pass is fed dout = r and must return ∂loss/∂input; the numerical derivative is the
// central difference (loss(x + ε) − loss(x − ε)) / 2ε, the loss summed in double.

import Testing
@testable import TesseraTransformer

/// A float buffer owned by a test.
final class Buffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int
    init(_ count: Int, fill: Float = 0) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: fill, count: max(count, 1))
    }
    convenience init(random count: Int, _ rng: inout SeededRandom, scale: Float = 1, offset: Float = 0) {
        self.init(count)
        for i in 0..<count { p[i] = offset + scale * rng.nextNormal() }
    }
    deinit { p.deallocate() }
    var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
}

/// Checks backward against central differences for every element of every input.
/// - forward: writes the output buffer from the inputs.
/// - backward: given dout, accumulates into the gradient buffers (zeroed before the call).
func checkGradients(inputs: [Buffer], outputCount: Int, epsilon: Float = 1e-3, tolerance: Float = 1e-2,
                    seed: UInt64 = 7, label: String,
                    forward: (_ out: UnsafeMutablePointer<Float>) -> Void,
                    backward: (_ dout: UnsafePointer<Float>, _ grads: [UnsafeMutablePointer<Float>]) -> Void) {
    var rng = SeededRandom(seed: seed)
    let r = Buffer(random: outputCount, &rng)
    let out = Buffer(outputCount)
    func loss() -> Double {
        forward(out.p)
        var s = 0.0
        for i in 0..<outputCount { s += Double(out.p[i]) * Double(r.p[i]) }
        return s
    }
    _ = loss()
    let grads = inputs.map { Buffer($0.count) }
    backward(r.p, grads.map(\.p))
    for (k, input) in inputs.enumerated() {
        var maxError: Float = 0, maxGrad: Float = 0
        for i in 0..<input.count {
            let saved = input.p[i]
            input.p[i] = saved + epsilon
            let plus = loss()
            input.p[i] = saved - epsilon
            let minus = loss()
            input.p[i] = saved
            let numeric = Float((plus - minus) / (2 * Double(epsilon)))
            maxError = max(maxError, abs(numeric - grads[k].p[i]))
            maxGrad = max(maxGrad, abs(grads[k].p[i]))
        }
        #expect(maxGrad > 0, "\(label): input \(k) got an all-zero gradient")
        #expect(maxError <= tolerance * max(maxGrad, 1e-3),
                "\(label): input \(k): max |numeric − analytic| = \(maxError), max |analytic| = \(maxGrad)")
    }
}
