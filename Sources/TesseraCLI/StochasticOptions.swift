// Stochastic tokenization for `encode` and `expand`: StochasTok (split tokens of the deterministic
// output) and BPE-dropout (skip merges while encoding), both seeded per document: document i of a run
// (a file, or a line with --lines, counted across all inputs from 0) uses seed
// `StochasticSeed.document(--seed, i)`, so results do not depend on --threads.

import ArgumentParser
import Foundation
import TesseraBPE
import TesseraStochastic
import TesseraTokenizer

struct StochasticOptions: ParsableArguments {
    @Option(name: .long, help: "StochasTok: split tokens at random, ⌊P·n⌋ attempts per document (the paper uses 0.1).")
    var stochastok: Double?

    @Option(name: .long, help: "BPE-dropout: skip each merge with probability P while encoding.")
    var dropout: Double?

    @Option(name: .long, help: "Seed of --stochastok / --dropout (document i uses a seed derived from it and i).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "StochasTok: stop after this many splits per document.")
    var maxExpansions: Int?

    var isActive: Bool { stochastok != nil || dropout != nil }

    func validate() throws {
        if stochastok != nil && dropout != nil { throw ValidationError("--stochastok and --dropout are alternatives; pass one") }
        if let p = stochastok, !(p >= 0 && p.isFinite) { throw ValidationError("--stochastok must be a number ≥ 0, got \(p)") }
        if let p = dropout, !(p >= 0 && p <= 1) { throw ValidationError("--dropout must be in [0, 1], got \(p)") }
        if let m = maxExpansions, m < 0 { throw ValidationError("--max-expansions must be ≥ 0") }
        if maxExpansions != nil && stochastok == nil { throw ValidationError("--max-expansions only applies with --stochastok") }
    }

    /// What to do to each document.
    enum Plan {
        case stochastok(StochasTokExpander)
        case dropout(BPEDropout)
    }

    func plan(for tokenizer: Tokenizer) throws -> Plan? {
        do {
            if let p = stochastok {
                return .stochastok(try StochasTokExpander(table: SplitTable(tokenizer: tokenizer), probability: p,
                                                          maxExpansions: maxExpansions))
            }
            if let p = dropout { return .dropout(try tokenizer.bpeDropout(probability: p)) }
        } catch { throw CLIError("\(error)") }
        return nil
    }
}

extension StochasticOptions.Plan {
    /// The ids of document `index` (and, when `withOffsets`, each token's byte range), after the plan.
    func encode(_ text: [UInt8], index: Int, seed: UInt64, tokenizer: Tokenizer, specials: SpecialTokenPolicy,
                withOffsets: Bool, threads: Int) throws -> (ids: [TokenID], offsets: [Range<Int>]?, attempts: Int, successes: Int) {
        let documentSeed = StochasticSeed.document(seed, index: index)
        switch self {
        case .dropout(let dropout):
            let copy = tokenizer.withBPEDropout(dropout, seed: documentSeed)
            if withOffsets {
                let e = try encodeOrExplain { try copy.encodeWithOffsets(text, specials: specials) }
                return (e.ids, e.offsets, 0, 0)
            }
            return (try encodeOrExplain { try copy.encode(text, specials: specials) }, nil, 0, 0)
        case .stochastok(let expander):
            if withOffsets {
                let e = try encodeOrExplain { try tokenizer.encodeWithOffsets(text, specials: specials) }
                let r = expander.expand(e.ids, seed: documentSeed)
                return (r.ids, Self.offsets(of: r.ids, splitting: e.offsets, tokenizer: tokenizer), r.attempts, r.successes)
            }
            let ids = try encodeOrExplain { try tokenizer.encodeParallel(text, specials: specials, threads: threads) }
            let r = expander.expand(ids, seed: documentSeed)
            return (r.ids, nil, r.attempts, r.successes)
        }
    }

    /// Byte ranges of expanded tokens: the pieces of an original token tile its range in order, so walking
    /// the output with each token's byte length, one original range at a time, recovers every range.
    static func offsets(of ids: [TokenID], splitting original: [Range<Int>], tokenizer: Tokenizer) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(ids.count)
        var k = 0
        var start = original.first?.lowerBound ?? 0
        for id in ids {
            // Added tokens (special) keep their range whole; split pieces are model tokens.
            let length = tokenizer.vocabulary.byteCount(of: id)
            let range = original[k]
            let end = length == 0 ? range.upperBound : min(range.upperBound, start + length)
            out.append(start..<end)
            start = end
            if start >= range.upperBound {
                k += 1
                if k < original.count { start = original[k].lowerBound }
            }
        }
        return out
    }
}
