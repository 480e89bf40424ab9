// exp(x) for float without libm: Cephes expf's range reduction and degree-6 polynomial, with the
// power of two built from the float's bits. Branch-free and call-free, so softmax and cross-entropy loops
// vectorise (libm's expf is a scalar call per element). Accuracy: within 2 ulp of exp on [−87, 88]
// (FastExpTests checks it against Foundation's exp); inputs are clamped to that range, so exp(−∞) gives
// 2⁻¹²⁶·… ≈ 1e−38 instead of 0, which no softmax in this runtime can tell apart after normalising.
// Invariant: fastExp(0) == 1 exactly. Complexity: O(1), about 15 flops.

/// e^x to within 2 ulp for x in [−87, 88] (clamped outside).
@inline(__always)
func fastExp(_ x0: Float) -> Float {
    let x = min(max(x0, -87), 88)
    // Adding 1.5·2²³ rounds x·log2(e) to an integer n kept in the low mantissa bits of t.
    let shifter: Float = 12_582_912
    let t = x * 1.442_695_04 + shifter
    let n = t - shifter
    // r = x − n·ln 2 in two parts (Cephes C1 + C2), |r| ≤ ln(2)/2.
    var r = x - n * 0.693_359_375
    r = r + n * 2.121_944_4e-4
    let z = r * r
    var y: Float = 1.987_569_15e-4
    y = y * r + 1.398_199_95e-3
    y = y * r + 8.333_451_9e-3
    y = y * r + 4.166_579_59e-2
    y = y * r + 1.666_666_55e-1
    y = y * r + 5.000_000_12e-1
    y = y * z + r + 1
    // 2ⁿ: n + 127 in the exponent field (n ∈ [−126, 127] after the clamp).
    let scale = Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) << 23)
    return y * scale
}
