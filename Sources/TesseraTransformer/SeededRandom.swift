// SeededRandom: the one source of randomness of the runtime (initialisation, batch sampling, token
// sampling), so that a run is reproducible from its seed on any machine. The stream is Tessera's
// SplitMix64 (TesseraTokenizer); this file adds the float and normal deviates a model needs
// (Box–Muller for normals).
// Invariant: the same seed yields the same sequence. Complexity: O(1) per draw.

import Foundation
import TesseraTokenizer

/// The runtime's seeded generator.
public typealias SeededRandom = SplitMix64

extension SplitMix64 {
    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// A standard normal deviate (Box–Muller; the second deviate of the pair is not kept).
    public mutating func nextNormal() -> Float {
        let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
