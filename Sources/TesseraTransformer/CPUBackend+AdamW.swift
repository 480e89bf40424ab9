// AdamW (Loshchilov & Hutter 2019) with bias correction, in llm.c's form (gpt2_update): decay is
// decoupled from the adaptive step and scaled by the learning rate.
// Invariant: m and v hold the exponential moving averages of the (scaled) gradient and its square.
// Index ranges go to workers. Complexity: O(count).

import Foundation

extension CPUBackend {
    public func adamW(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                      m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                      learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
                      gradScale: Float, step: Int) {
        let c1 = 1 - Float(pow(Double(beta1), Double(step)))
        let c2 = 1 - Float(pow(Double(beta2), Double(step)))
        forChunks(count, grain: 1 << 14) { _, lo, hi in
            for i in lo..<hi {
                let g = gradients[i] * gradScale
                let mi = beta1 * m[i] + (1 - beta1) * g
                let vi = beta2 * v[i] + (1 - beta2) * g * g
                m[i] = mi
                v[i] = vi
                let mh = mi / c1, vh = vi / c2
                parameters[i] -= learningRate * (mh / (vh.squareRoot() + epsilon) + weightDecay * parameters[i])
            }
        }
    }
}
