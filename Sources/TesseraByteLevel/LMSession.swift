// LMSession: next-token rows of a TokenLanguageModel for many related token prefixes, reusing key/value
// caches. A prefix is evaluated by copying the cache of the longest remembered prefix of it and appending
// only the missing tokens — one `append` call ("one LM call") per request. Byte-level streams ask for
// prefixes that differ from an earlier one only in their last token or two, so in steady state a call
// runs one or two positions.
//
// Invariant: `row(after: p)` equals `lm.appendPrecise([bos] + p)` on a fresh cache (the TokenLanguageModel
// invariant: a cache is a pure function of the tokens appended). Caches are copied as values (GPTCache
// and array caches are value types).
// Complexity: per request O(checkpoints · |p|) to pick the checkpoint, plus the model's cost for the
// appended positions; memory `capacity` caches and rows.

import TesseraLM

/// Call counters of a session.
public struct LMCallStatistics: Sendable, Equatable {
    /// `append` calls made.
    public var calls = 0
    /// Token positions run through the model.
    public var positions = 0
    public init() {}
}

/// Cached next-token rows over one model, with a start-of-text token prepended to every prefix.
public final class LMSession<Model: TokenLanguageModel> {
    public let model: Model
    /// The token every prefix starts with (the model's start of text).
    public let bos: LMToken
    /// How many prefixes (caches + rows) are remembered.
    public let capacity: Int
    public private(set) var statistics = LMCallStatistics()
    private var checkpoints: [(tokens: [LMToken], cache: Model.Cache, row: [Double])] = []
    private var clock = 0
    private var used: [Int] = []

    public init(model: Model, bos: LMToken, capacity: Int = 12) {
        self.model = model
        self.bos = bos
        self.capacity = max(2, capacity)
    }

    /// Natural-log next-token probabilities after `[bos] + prefix`.
    /// - Throws: `ByteLevelError.contextExceeded` past the model's context, `.model` for model errors.
    public func row(after prefix: [LMToken]) throws -> [Double] {
        let full = [bos] + prefix
        guard full.count <= model.contextLength else {
            throw ByteLevelError.contextExceeded(tokens: full.count, contextLength: model.contextLength)
        }
        var best = -1, bestLength = 0
        for (i, c) in checkpoints.enumerated() where c.tokens.count <= full.count && c.tokens.count > bestLength {
            if c.tokens.elementsEqual(full[..<c.tokens.count]) { best = i; bestLength = c.tokens.count }
        }
        if best >= 0 && bestLength == full.count {
            clock += 1; used[best] = clock
            return checkpoints[best].row
        }
        var cache = best >= 0 ? checkpoints[best].cache : model.makeCache()
        let rest = Array(full[bestLength...])
        let row: [Double]
        do { row = try model.appendPrecise(rest, to: &cache) } catch { throw ByteLevelError.model("\(error)") }
        statistics.calls += 1
        statistics.positions += rest.count
        remember(full, cache, row)
        return row
    }

    private func remember(_ tokens: [LMToken], _ cache: Model.Cache, _ row: [Double]) {
        clock += 1
        if checkpoints.count < capacity {
            checkpoints.append((tokens, cache, row)); used.append(clock)
            return
        }
        // Evict the least recently used prefix.
        var victim = 0
        for i in used.indices where used[i] < used[victim] { victim = i }
        checkpoints[victim] = (tokens, cache, row)
        used[victim] = clock
    }

    /// Forgets every remembered prefix (counters are kept).
    public func reset() { checkpoints.removeAll(); used.removeAll() }
}
