// The CPU backend splits kernels over workers (rows, output columns, channels, heads, index ranges) once
// shapes are large enough; these tests use such shapes and check that 3 workers compute what 1 does:
// logits, loss, every gradient, one AdamW step, and KV-cache inference (which takes the column split of
// the matmul for one-token appends and the head split for a prompt). Also the vectorised exp.

import Foundation
import Testing
import TesseraLM
@testable import TesseraTransformer

@Suite("Threaded CPU backend")
struct ThreadedBackendTests {
    /// A model large enough that every kernel splits at 3 workers (B·T = 384 rows, C = 64, 4C·C = 16,384).
    func model(threads: Int) -> GPTModel {
        let m = GPTModel(config: GPTConfig(vocabularySize: 97, contextLength: 192, layers: 2, heads: 2, width: 64),
                         backend: CPUBackend(threads: threads))
        m.initialize(seed: 11)
        return m
    }

    func relativeDifference(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        var diff = 0.0, norm = 0.0
        for i in 0..<count {
            diff += Double(a[i] - b[i]) * Double(a[i] - b[i])
            norm += Double(b[i]) * Double(b[i])
        }
        return (diff / max(norm, 1e-30)).squareRoot()
    }

    @Test func threeWorkersMatchOneInTraining() throws {
        let one = model(threads: 1), three = model(threads: 3)
        var rng = SeededRandom(seed: 5)
        let B = 2, T = 192
        let tokens = (0..<(B * T)).map { _ in Int32(rng.next() % 97) }
        let targets = (0..<(B * T)).map { _ in Int32(rng.next() % 97) }
        var optimizer = AdamWOptimizer()
        optimizer.weightDecay = 0.1
        for m in [one, three] {
            m.zeroGradients()
            try m.forward(tokens: tokens, targets: targets, batch: B, length: T)
            try m.backward()
        }
        #expect(abs(one.meanLoss - three.meanLoss) <= 1e-6 * abs(one.meanLoss))
        #expect(relativeDifference(three.logits.baseAddress!, one.logits.baseAddress!, count: one.logits.count) < 1e-6)
        for t in GPTConfig.Tensor.allCases {
            let d = relativeDifference(three.gradient(t), one.gradient(t), count: one.config.count(of: t))
            #expect(d < 1e-5, "gradient of \(t): relative difference \(d)")
        }
        let n1 = optimizer.update(one), n3 = optimizer.update(three)
        #expect(abs(n1 - n3) <= 1e-5 * n1)
        #expect(relativeDifference(three.parameters, one.parameters, count: one.config.parameterCount) < 1e-6)
    }

    @Test func threeWorkersMatchOneInCachedInference() throws {
        let one = model(threads: 1), three = model(threads: 3)
        let prompt: [LMToken] = (0..<150).map { LMToken($0 * 7 % 97) }
        var c1 = one.makeCache(), c3 = three.makeCache()
        var a = try one.append(prompt, to: &c1), b = try three.append(prompt, to: &c3)
        for step in 0..<3 {
            for i in 0..<97 { #expect(abs(a[i] - b[i]) < 1e-5, "step \(step), id \(i)") }
            a = try one.append([LMToken(step + 1)], to: &c1)
            b = try three.append([LMToken(step + 1)], to: &c3)
        }
    }

    @Test func fastExpMatchesFoundation() {
        var worst: Double = 0
        var x: Float = -87
        while x <= 88 {
            let exact = exp(Double(x))
            worst = max(worst, abs(Double(fastExp(x)) - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 3e-7, "max relative error \(worst)")
        #expect(fastExp(0) == 1)
        #expect(fastExp(-.infinity) < 1e-37 && fastExp(-.infinity) >= 0)
        #expect(!fastExp(-1000).isNaN)
    }

    @Test func rowReductionsMatchScalarSums() {
        var rng = SeededRandom(seed: 9)
        for n in [0, 1, 7, 8, 9, 16, 17, 31, 256, 1000] {
            let x = (0..<max(n, 1)).map { _ in rng.nextNormal() }, y = (0..<max(n, 1)).map { _ in rng.nextNormal() }
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    let p = xp.baseAddress!, q = yp.baseAddress!
                    var s = 0.0, d = 0.0, dev = 0.0, mx = -Double.infinity
                    for i in 0..<n {
                        s += Double(p[i]); d += Double(p[i]) * Double(q[i])
                        dev += (Double(p[i]) - 0.25) * (Double(p[i]) - 0.25); mx = max(mx, Double(p[i]))
                    }
                    #expect(abs(Double(rowSum(p, n)) - s) < 1e-4)
                    #expect(abs(Double(rowDot(p, q, n)) - d) < 1e-4)
                    #expect(abs(Double(rowSquaredDeviation(p, n, from: 0.25)) - dev) < 1e-3)
                    #expect(Double(rowMax(p, n)) == mx)
                }
            }
        }
    }
}
