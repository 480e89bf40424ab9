// AdamWOptimizer: one training update — global gradient-norm clipping, a learning rate from a linear
// warm-up followed by a cosine decay (Loshchilov & Hutter 2017; nanoGPT's get_lr), and AdamW applied
// with weight decay on matrices and embeddings only.
// Invariant: `learningRate(at:)` rises linearly to `maxLearningRate` at step `warmup`, then follows a
// half cosine to `minLearningRate` at `totalSteps` and stays there. Complexity: O(parameters) per step.

import Foundation

/// Hyper-parameters of the optimizer and its schedule.
public struct AdamWOptimizer: Sendable, Equatable, Codable {
    public var maxLearningRate: Float = 1e-3
    public var minLearningRate: Float = 1e-4
    public var warmupSteps: Int = 50
    public var totalSteps: Int = 1000
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.0
    /// Clip the global gradient norm to this value (0 or less: no clipping).
    public var gradientClip: Float = 1.0

    public init() {}

    /// The learning rate for the 1-based `step`.
    public func learningRate(at step: Int) -> Float {
        if step <= warmupSteps { return maxLearningRate * Float(step) / Float(max(warmupSteps, 1)) }
        if step >= totalSteps { return minLearningRate }
        let progress = Double(step - warmupSteps) / Double(max(totalSteps - warmupSteps, 1))
        let cosine = Float(0.5 * (1 + cos(Double.pi * progress)))
        return minLearningRate + cosine * (maxLearningRate - minLearningRate)
    }

    /// Applies one update from `model.gradients` and returns the global gradient norm before clipping.
    @discardableResult
    public func update(_ model: GPTModel) -> Float {
        let be = model.backend, n = model.config.parameterCount
        if model.adamM == nil {
            model.adamM = be.allocate(n)
            model.adamV = be.allocate(n)
        }
        let norm = Float(be.sumOfSquares(model.gradients, count: n).squareRoot())
        let scale: Float = (gradientClip > 0 && norm > gradientClip) ? gradientClip / norm : 1
        model.step += 1
        let lr = learningRate(at: model.step)
        let offsets = model.offsets
        for t in GPTConfig.Tensor.allCases {
            let o = offsets[t.rawValue]
            be.adamW(parameters: model.parameters + o, gradients: model.gradients + o, m: model.adamM! + o,
                     v: model.adamV! + o, count: model.config.count(of: t), learningRate: lr, beta1: beta1,
                     beta2: beta2, epsilon: epsilon, weightDecay: GPTConfig.isDecayed(t) ? weightDecay : 0,
                     gradScale: scale, step: model.step)
        }
        return norm
    }
}
