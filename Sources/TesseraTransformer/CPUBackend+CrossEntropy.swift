// Fused softmax + cross-entropy over the vocabulary (llm.c softmax_forward, crossentropy_forward and
// crossentropy_softmax_backward). The loss uses log-sum-exp (−ln p = lse − logit), so it stays finite
// even when the target's probability underflows a float.
// Invariant: each probs row sums to 1; backward = (probs − onehot) · dloss. Complexity: O(N·V).

import Foundation

extension CPUBackend {
    public func crossEntropyForward(losses: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                                    logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, N: Int, V: Int) {
        for r in 0..<N {
            let l = logits + r * V, p = probs + r * V
            var mx = -Float.infinity
            for i in 0..<V where l[i] > mx { mx = l[i] }
            var s: Float = 0
            for i in 0..<V { let e = expf(l[i] - mx); p[i] = e; s += e }
            // −ln p_target = logsumexp − logit_target, finite even where p_target underflows.
            losses[r] = mx + logf(s) - l[Int(targets[r])]
            let inv = 1 / s
            for i in 0..<V { p[i] *= inv }
        }
    }

    public func crossEntropyBackward(dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>,
                                     targets: UnsafePointer<Int32>, dloss: Float, N: Int, V: Int) {
        for r in 0..<N {
            let d = dlogits + r * V, p = probs + r * V
            for i in 0..<V { d[i] += p[i] * dloss }
            d[Int(targets[r])] -= dloss
        }
    }
}
