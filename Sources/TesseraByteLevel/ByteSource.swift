// ByteSource: anything that gives a next-byte distribution and accepts the chosen byte — one model's
// ByteStream, a cross-vocabulary ensemble, the beam approximation. Sampling and scoring are written once
// against it.

import TesseraLM

/// A conditional byte distribution over a growing byte string.
public protocol ByteSource: AnyObject {
    /// P(next byte | bytes so far): 256 bytes then the end of text.
    func distribution() throws -> NextByteDistribution
    /// Appends one byte.
    func feed(_ byte: UInt8) throws
    /// Model calls and positions so far (summed over members).
    var statistics: LMCallStatistics { get }
}

extension ByteStream: ByteSource {}

/// The uniform average of members' next-byte distributions (Phan et al.'s ensemble across vocabularies:
/// each member works in its own tokenizer; only bytes are shared).
/// Invariant: an ensemble of one member gives that member's distribution exactly.
public final class ByteEnsemble: ByteSource {
    public let members: [any ByteSource]
    public let weights: [Double]

    /// - Throws: `ByteLevelError.badEnsemble` without members or with weights that are not positive.
    public init(_ members: [any ByteSource], weights: [Double]? = nil) throws {
        guard !members.isEmpty else { throw ByteLevelError.badEnsemble("no members. Fix: give at least one model") }
        let w = weights ?? Array(repeating: 1, count: members.count)
        guard w.count == members.count, w.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ByteLevelError.badEnsemble("\(w.count) weights for \(members.count) members. Fix: one positive weight per model")
        }
        let s = w.reduce(0, +)
        self.members = members
        self.weights = w.map { $0 / s }
    }

    /// The members' distributions behind the last `distribution()` (for per-member reports).
    public private(set) var lastMemberDistributions: [NextByteDistribution] = []

    public func distribution() throws -> NextByteDistribution {
        lastMemberDistributions = try members.map { try $0.distribution() }
        if members.count == 1 { return lastMemberDistributions[0] }
        var p = [Double](repeating: 0, count: 257)
        var logP = 0.0, leak = 0.0
        for (d, w) in zip(lastMemberDistributions, weights) {
            for i in 0..<257 { p[i] += w * d.probabilities[i] }
            logP += w * d.logPrefixProbability
            leak += w * d.leakedMass
        }
        return NextByteDistribution(probabilities: p, logPrefixProbability: logP, leakedMass: leak)
    }

    public func feed(_ byte: UInt8) throws { for m in members { try m.feed(byte) } }

    public var statistics: LMCallStatistics {
        members.reduce(into: LMCallStatistics()) { $0.calls += $1.statistics.calls; $0.positions += $1.statistics.positions }
    }
}
