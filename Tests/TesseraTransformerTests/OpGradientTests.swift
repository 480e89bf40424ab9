// Every CPU kernel's backward pass against finite differences of its forward pass, on tiny shapes.

import Foundation
import Testing
@testable import TesseraTransformer

@Suite("Kernel gradients (finite differences)")
struct OpGradientTests {
    let be = CPUBackend(threads: 1)

    @Test func encoder() {
        var rng = SeededRandom(seed: 1)
        let B = 2, T = 3, C = 4, V = 5
        let wte = Buffer(random: V * C, &rng), wpe = Buffer(random: T * C, &rng)
        let tokens: [Int32] = [1, 3, 1, 0, 4, 3]   // repeated ids must accumulate
        checkGradients(inputs: [wte, wpe], outputCount: B * T * C, label: "encoder") { out in
            be.encoderForward(out: out, tokens: tokens, wte: wte.p, wpe: wpe.p, B: B, T: T, C: C)
        } backward: { dout, g in
            be.encoderBackward(dwte: g[0], dwpe: g[1], dout: dout, tokens: tokens, B: B, T: T, C: C)
        }
    }

    @Test func layerNorm() {
        var rng = SeededRandom(seed: 2)
        let N = 3, C = 8
        let x = Buffer(random: N * C, &rng), w = Buffer(random: C, &rng, scale: 0.5, offset: 1)
        let b = Buffer(random: C, &rng, scale: 0.5)
        let mean = Buffer(N), rstd = Buffer(N)
        checkGradients(inputs: [x, w, b], outputCount: N * C, label: "layernorm") { out in
            be.layerNormForward(out: out, mean: mean.p, rstd: rstd.p, inp: x.p, weight: w.p, bias: b.p, N: N, C: C)
        } backward: { dout, g in
            be.layerNormBackward(dinp: g[0], dweight: g[1], dbias: g[2], dout: dout, inp: x.p, weight: w.p,
                                 mean: mean.p, rstd: rstd.p, N: N, C: C)
        }
    }

    @Test(arguments: [true, false]) func matmul(withBias: Bool) {
        var rng = SeededRandom(seed: 3)
        let N = 5, C = 6, OC = 7
        let x = Buffer(random: N * C, &rng), w = Buffer(random: OC * C, &rng), b = Buffer(random: OC, &rng)
        let dummy = Buffer(OC)
        checkGradients(inputs: withBias ? [x, w, b] : [x, w], outputCount: N * OC, label: "matmul") { out in
            be.matmulForward(out: out, inp: x.p, weight: w.p, bias: withBias ? b.p : nil, N: N, C: C, OC: OC)
        } backward: { dout, g in
            be.matmulBackward(dinp: g[0], dweight: g[1], dbias: withBias ? g[2] : dummy.p, dout: dout, inp: x.p,
                              weight: w.p, N: N, C: C, OC: OC)
        }
    }

    @Test func matmulMatchesNaiveProduct() {
        var rng = SeededRandom(seed: 4)
        let N = 3, C = 5, OC = 4
        let x = Buffer(random: N * C, &rng), w = Buffer(random: OC * C, &rng), b = Buffer(random: OC, &rng)
        let out = Buffer(N * OC)
        be.matmulForward(out: out.p, inp: x.p, weight: w.p, bias: b.p, N: N, C: C, OC: OC)
        for r in 0..<N {
            for o in 0..<OC {
                var s = Double(b.p[o])
                for c in 0..<C { s += Double(x.p[r * C + c]) * Double(w.p[o * C + c]) }
                #expect(abs(Double(out.p[r * OC + o]) - s) < 1e-5)
            }
        }
    }

    @Test(arguments: [1, 2]) func attention(heads: Int) {
        var rng = SeededRandom(seed: 5)
        let B = 2, T = 4, C = 4
        let qkv = Buffer(random: B * T * 3 * C, &rng)
        let att = Buffer(B * heads * T * T)
        checkGradients(inputs: [qkv], outputCount: B * T * C, label: "attention") { out in
            be.attentionForward(out: out, att: att.p, qkv: qkv.p, B: B, T: T, C: C, NH: heads)
        } backward: { dout, g in
            be.attentionBackward(dqkv: g[0], dout: dout, qkv: qkv.p, att: att.p, B: B, T: T, C: C, NH: heads)
        }
    }

    @Test func attentionIsCausal() {
        // Changing a later position's q, k or v must not change any earlier output.
        var rng = SeededRandom(seed: 6)
        let T = 5, C = 4, NH = 2
        let qkv = Buffer(random: T * 3 * C, &rng)
        let att = Buffer(NH * T * T), a = Buffer(T * C), b = Buffer(T * C)
        be.attentionForward(out: a.p, att: att.p, qkv: qkv.p, B: 1, T: T, C: C, NH: NH)
        for i in (3 * 3 * C)..<(T * 3 * C) { qkv.p[i] += 1 }
        be.attentionForward(out: b.p, att: att.p, qkv: qkv.p, B: 1, T: T, C: C, NH: NH)
        #expect(Array(a.array[0..<(3 * C)]) == Array(b.array[0..<(3 * C)]))
        #expect(a.array[(3 * C)...] != b.array[(3 * C)...])
    }

    @Test func cachedAttentionMatchesFullAttention() {
        var rng = SeededRandom(seed: 7)
        let T = 6, C = 6, NH = 3, past = 2, n = T - past
        let qkv = Buffer(random: T * 3 * C, &rng)
        let att = Buffer(NH * T * T), full = Buffer(T * C)
        be.attentionForward(out: full.p, att: att.p, qkv: qkv.p, B: 1, T: T, C: C, NH: NH)
        let keys = Buffer(T * C), values = Buffer(T * C), out = Buffer(n * C)
        for t in 0..<T {
            (keys.p + t * C).update(from: qkv.p + t * 3 * C + C, count: C)
            (values.p + t * C).update(from: qkv.p + t * 3 * C + 2 * C, count: C)
        }
        be.attentionCached(out: out.p, q: qkv.p + past * 3 * C, qStride: 3 * C, keys: keys.p, values: values.p,
                           past: past, n: n, C: C, NH: NH)
        for i in 0..<(n * C) { #expect(abs(out.p[i] - full.p[past * C + i]) < 1e-6) }
    }

    @Test func gelu() {
        var rng = SeededRandom(seed: 8)
        let n = 40
        let x = Buffer(random: n, &rng, scale: 2)
        checkGradients(inputs: [x], outputCount: n, label: "gelu") { out in
            be.geluForward(out: out, inp: x.p, count: n)
        } backward: { dout, g in
            be.geluBackward(dinp: g[0], inp: x.p, dout: dout, count: n)
        }
        // Fixed points of the tanh form: GELU(0) = 0, GELU(1) = 0.841192 (torch gelu(approximate="tanh")).
        let y = Buffer(2)
        be.geluForward(out: y.p, inp: [0, 1], count: 2)
        #expect(y.p[0] == 0)
        #expect(abs(y.p[1] - 0.841192) < 1e-6)
    }

    @Test func residual() {
        var rng = SeededRandom(seed: 9)
        let n = 10
        let a = Buffer(random: n, &rng), b = Buffer(random: n, &rng)
        checkGradients(inputs: [a, b], outputCount: n, label: "residual") { out in
            be.add(out: out, a: a.p, b: b.p, count: n)
        } backward: { dout, g in
            be.accumulate(g[0], dout, count: n)
            be.accumulate(g[1], dout, count: n)
        }
    }

    @Test func crossEntropy() {
        var rng = SeededRandom(seed: 10)
        let N = 4, V = 7
        let logits = Buffer(random: N * V, &rng, scale: 2)
        let targets: [Int32] = [0, 6, 3, 3]
        let losses = Buffer(N), probs = Buffer(N * V)
        checkGradients(inputs: [logits], outputCount: 1, label: "cross-entropy") { out in
            be.crossEntropyForward(losses: losses.p, probs: probs.p, logits: logits.p, targets: targets, N: N, V: V)
            out[0] = losses.array.reduce(0, +) / Float(N)
        } backward: { dout, g in
            be.crossEntropyBackward(dlogits: g[0], probs: probs.p, targets: targets, dloss: dout[0] / Float(N), N: N, V: V)
        }
        // Huge logits must not overflow: the loss of a confident wrong answer is the logit gap.
        let big = Buffer(2)
        big.p[0] = 1000
        big.p[1] = -1000
        let l = Buffer(1), p = Buffer(2)
        be.crossEntropyForward(losses: l.p, probs: p.p, logits: big.p, targets: [1], N: 1, V: 2)
        #expect(l.p[0] == 2000)
    }

    @Test func adamWStepMatchesClosedForm() {
        // First step: m̂ = g, v̂ = g², so p −= lr·(g/(|g| + eps) + wd·p).
        let p = Buffer(3), g = Buffer(3), m = Buffer(3), v = Buffer(3)
        let p0: [Float] = [0.5, -1, 2], g0: [Float] = [0.1, -0.2, 0]
        for i in 0..<3 { p.p[i] = p0[i]; g.p[i] = g0[i] }
        be.adamW(parameters: p.p, gradients: g.p, m: m.p, v: v.p, count: 3, learningRate: 0.01, beta1: 0.9,
                 beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, gradScale: 1, step: 1)
        for i in 0..<3 {
            let expected = p0[i] - 0.01 * (g0[i] / (abs(g0[i]) + 1e-8) + 0.1 * p0[i])
            #expect(abs(p.p[i] - expected) < 1e-6)
        }
    }
}

@Suite("Fast tanh")
struct FastTanhTests {
    @Test func matchesFoundationTanh() {
        var worst: Double = 0
        var x = -12.0
        while x <= 12 {
            worst = max(worst, abs(Double(fastTanh(Float(x))) - tanh(Double(Float(x)))))
            x += 0.001
        }
        #expect(worst < 5e-7, "max |fastTanh − tanh| = \(worst)")
        #expect(fastTanh(0) == 0)
        #expect(fastTanh(-0.5) == -fastTanh(0.5))
    }
}
