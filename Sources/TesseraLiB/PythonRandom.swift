// Python's `random.random()` stream: MT19937 (Matsumoto & Nishimura 1998) seeded the way CPython's
// `random.seed(n)` seeds it for a non-negative integer n (`init_by_array` over the 32-bit words of n,
// least significant first; at least one word), and `random()` built from two outputs as 53-bit
// doubles: (a >> 5, b >> 6) → (a·2^26 + b) / 2^53 (CPython Modules/_randommodule.c).
//
// Why Python's generator and not SplitMix64: the LiB reference draws one `random.random()` per matched
// chunk, and every later decision depends on which chunks were memorized. With the same stream the
// Swift learner reproduces the reference lexicon entry for entry (the golden test), which is the only
// way to show the port is faithful rather than "statistically similar".
//
// Invariant: `PythonRandom(seed: n)` yields exactly the values of `random.seed(n); random.random()`.
// Complexity: O(1) amortized per draw (a 624-word state regenerated every 624 outputs).

/// Mersenne Twister MT19937 with CPython's integer seeding and `random()`.
public struct PythonRandom: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// The generator after Python's `random.seed(seed)`.
    public init(seed: UInt64) {
        var key: [UInt32] = [UInt32(truncatingIfNeeded: seed)]
        if seed >> 32 != 0 { key.append(UInt32(truncatingIfNeeded: seed >> 32)) }
        initByArray(key)
    }

    private mutating func initGenrand(_ s: UInt32) {
        state[0] = s
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func initByArray(_ key: [UInt32]) {
        initGenrand(19_650_218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
        }
        state[0] = 0x8000_0000
    }

    private mutating func regenerate() {
        state.withUnsafeMutableBufferPointer { mt in
            // The three ranges of the recurrence, split so that no index needs a modulo.
            @inline(__always) func twist(_ k: Int, _ next: Int, _ far: Int) {
                let y = (mt[k] & 0x8000_0000) | (mt[next] & 0x7fff_ffff)
                mt[k] = mt[far] ^ (y >> 1) ^ ((0 &- (y & 1)) & 0x9908_b0df)
            }
            for k in 0..<227 { twist(k, k + 1, k + 397) }
            for k in 227..<623 { twist(k, k + 1, k - 227) }
            twist(623, 0, 396)
        }
        index = 0
    }

    /// The next 32-bit output (`genrand_uint32`).
    @inline(__always)
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { regenerate() }
        var y = state.withUnsafeBufferPointer { $0[index] }
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// Python's `random.random()`: a double in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func random() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }
}
