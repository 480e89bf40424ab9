// Fused softmax + cross-entropy over the vocabulary (llm.c softmax_forward, crossentropy_forward and
// crossentropy_softmax_backward). The loss uses log-sum-exp (−ln p = lse − logit), so it stays finite
// even when the target's probability underflows a float. Rows go to workers.
// Invariant: each probs row sums to 1; backward = (probs − onehot) · dloss. Complexity: O(N·V).

import Foundation

extension CPUBackend {
    public func crossEntropyForward(losses: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                                    logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, N: Int, V: Int) {
        forChunks(N, grain: max(1, 8192 / max(V, 1))) { _, lo, hi in
            for r in lo..<hi {
                let l = logits + r * V, p = probs + r * V
                let mx = rowMax(l, V)
                for i in 0..<V { p[i] = fastExp(l[i] - mx) }
                let s = rowSum(p, V)
                // −ln p_target = logsumexp − logit_target, finite even where p_target underflows.
                losses[r] = mx + logf(s) - l[Int(targets[r])]
                let inv = 1 / s
                for i in 0..<V { p[i] *= inv }
            }
        }
    }

    public func crossEntropyBackward(dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>,
                                     targets: UnsafePointer<Int32>, dloss: Float, N: Int, V: Int) {
        forChunks(N, grain: max(1, 8192 / max(V, 1))) { _, lo, hi in
            for r in lo..<hi {
                let d = dlogits + r * V, p = probs + r * V
                for i in 0..<V { d[i] += p[i] * dloss }
                d[Int(targets[r])] -= dloss
            }
        }
    }
}
