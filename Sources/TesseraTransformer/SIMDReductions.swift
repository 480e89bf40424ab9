// Reductions over float rows in explicit 8-lane SIMD with two accumulators. Without fast-math, the
// compiler keeps a scalar `s += x[i]` loop in source order (float addition is not associative), so every
// softmax, LayerNorm and dot product in the kernels ran one lane at a time; these helpers fix the order
// instead (lane-wise partial sums, then the lanes), which is deterministic but not the sequential order.
// Invariant: each helper reads exactly n floats from each pointer. Complexity: O(n).

@inline(__always)
private func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
}

/// Σ p[i] for i < n.
@inline(__always)
func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    var i = 0
    while i + 16 <= n { a += load8(p, i); b += load8(p, i + 8); i += 16 }
    if i + 8 <= n { a += load8(p, i); i += 8 }
    var s = (a + b).sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// Σ x[i]·y[i] for i < n.
@inline(__always)
func rowDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    var i = 0
    while i + 16 <= n { a += load8(x, i) * load8(y, i); b += load8(x, i + 8) * load8(y, i + 8); i += 16 }
    if i + 8 <= n { a += load8(x, i) * load8(y, i); i += 8 }
    var s = (a + b).sum()
    while i < n { s += x[i] * y[i]; i += 1 }
    return s
}

/// Σ (p[i] − m)² for i < n.
@inline(__always)
func rowSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, from m: Float) -> Float {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    let mv = SIMD8<Float>(repeating: m)
    var i = 0
    while i + 16 <= n {
        let d0 = load8(p, i) - mv, d1 = load8(p, i + 8) - mv
        a += d0 * d0; b += d1 * d1; i += 16
    }
    if i + 8 <= n { let d = load8(p, i) - mv; a += d * d; i += 8 }
    var s = (a + b).sum()
    while i < n { let d = p[i] - m; s += d * d; i += 1 }
    return s
}

/// max p[i] for i < n (−∞ when n = 0; NaNs are not propagated, as with Swift's `max`).
@inline(__always)
func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i + 8 <= n { a = pointwiseMax(a, load8(p, i)); i += 8 }
    var m = a.max()
    while i < n { m = max(m, p[i]); i += 1 }
    return m
}
