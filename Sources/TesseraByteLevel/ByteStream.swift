// ByteStream: exact next-byte distributions of a tokenized language model (Phan et al., "Exact Byte-Level
// Probabilities from Tokenized Language Models for FIM-Tasks and Model Ensembles", ICLR 2025 — Algorithm B,
// the incremental form; notation of ../shared/research/methods-byteprob-transfer-dynamic-theory-runtime.md §1).
//
// For the bytes x fed so far the stream keeps enc(x) with log P(enc(x)), the model's row P(· | enc(x)),
// and the cover encodings of x whose last token sticks out past x: (last token τ, where it starts,
// log P(t)); their tokens before τ are enc of the bytes before τ (prefix closure of canonical encodings).
// Byte-Token Representation: P(x) = P(enc(x)) + Σ_covers P(t). Next-byte mass: a sticking-out cover gives
// its P(t) to its next byte; enc(x) gives P(enc(x))·P(τ | enc(x)) to τ's first byte for every τ with
// enc(x)+[τ] canonical (the validity mask, skipped in `.fast` mode) and P(enc(x))·P(EOS | enc(x)) to the
// end of text. Feeding byte b keeps the covers that continue with b, adds enc(x)+[τ] for the valid τ
// starting with b, re-encodes only the bytes after the stable pre-token boundary, reads P(enc(xb)) off
// the cover that now ends exactly at the end of xb, and makes ONE model call for P(· | enc(xb)).
//
// Invariant (`.exact`, a model that gives non-canonical sequences zero mass): `distribution()` is the
// true conditional P(next byte | x), and chaining it over a string s followed by the end of text gives
// P(enc(s) + EOS) (tested on the toy oracle and on masked random transformers).
// Complexity per fed byte: one model call (O(1) or 2 appended positions in steady state), O(V) for the
// validity mask (one short pre-tokenization and pair test per token), O(covers) bookkeeping.

import TesseraBPE
import TesseraLM

/// Whether the validity mask is applied.
public enum ByteLevelMode: String, Sendable, CaseIterable {
    /// Only canonical continuations of enc(x) count (exact for models trained on canonical encodings).
    case exact
    /// Every continuation counts (Phan et al.'s `fast_mode`): cheaper, only approximately exact.
    case fast
}

/// A next-byte distribution: probabilities of the 256 bytes, then the end of text (index 256).
public struct NextByteDistribution: Sendable, Equatable {
    public static let end = 256
    /// 257 probabilities summing to 1.
    public var probabilities: [Double]
    /// ln P(x) up to the stream's constant (the conditioning it started from).
    public var logPrefixProbability: Double
    /// The share of P(x) the model gave to non-canonical continuations (0 for a masked model).
    public var leakedMass: Double

    /// The `count` most probable outcomes, best first (ties: smaller outcome first).
    public func top(_ count: Int) -> [(outcome: Int, probability: Double)] {
        probabilities.enumerated().sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
            .prefix(count).map { ($0.offset, $0.element) }
    }
}

/// Exact byte-level view of one tokenized language model over one growing byte string.
public final class ByteStream<Model: TokenLanguageModel> {
    struct Cover { var token: LMToken; var start: Int; var logP: Double }

    public let session: LMSession<Model>
    public let tokenizer: ByteLevelTokenizer
    public let mode: ByteLevelMode
    /// The end-of-text id, when the model has one.
    public let eos: LMToken?
    /// Tokens always in front of the stream's own (after BOS): a token-level prompt (naive conditioning).
    public let contextTokens: [LMToken]

    /// Bytes fed so far.
    public private(set) var bytes: [UInt8] = []
    /// enc(bytes) (after `contextTokens`), and the byte offset where each token starts.
    public private(set) var tokens: [LMToken] = []
    var offsets: [Int] = []
    /// Bytes before `anchor` are fixed: every canonical encoding of every extension starts with the
    /// `anchorTokens` tokens that encode them.
    var anchor = 0, anchorTokens = 0
    var encLogP: Double = 0
    var row: [Double] = []
    var covers: [Cover] = []
    var mask: [Bool]? = nil
    var tailPieces: [Range<Int>] = []

    /// Starts a stream at the empty byte string (one model call).
    /// - Parameters:
    ///   - bos: the start-of-text id every model prefix begins with.
    ///   - eos: the end-of-text id, or nil when the model has none (then the end of text has probability 0).
    ///   - contextTokens: a token prompt before the bytes (the naive-conditioning baseline); canonicality
    ///     of the bytes is then judged on the bytes alone.
    /// - Throws: `ByteLevelError` for a vocabulary mismatch, bad ids or a model error.
    public init(model: Model, tokenizer: ByteLevelTokenizer, bos: LMToken, eos: LMToken?, mode: ByteLevelMode = .exact,
                contextTokens: [LMToken] = [], cacheCapacity: Int = 12) throws {
        let V = model.vocabularySize
        guard V >= tokenizer.table.count else {
            throw ByteLevelError.vocabularyMismatch(tokenizer: tokenizer.name, tokenizerIDs: tokenizer.table.count, modelIDs: V)
        }
        for (role, id) in [("BOS", bos), ("EOS", eos)] {
            guard let id else { continue }
            if Int(id) >= V { throw ByteLevelError.badSpecialID(role: role, id: Int(id), modelIDs: V) }
        }
        if let eos, tokenizer.table.length(eos) > 0 { throw ByteLevelError.badSpecialID(role: "EOS", id: Int(eos), modelIDs: V) }
        for t in contextTokens where Int(t) >= V { throw ByteLevelError.badSpecialID(role: "context token", id: Int(t), modelIDs: V) }
        session = LMSession(model: model, bos: bos, capacity: cacheCapacity)
        self.tokenizer = tokenizer
        self.mode = mode
        self.eos = eos
        self.contextTokens = contextTokens
        row = try session.row(after: contextTokens)
    }

    /// A stream already conditioned on `prompt`: the fixed part before the prompt's stable boundary is
    /// encoded at once (one call), the rest fed byte by byte (one call each).
    public convenience init(model: Model, tokenizer: ByteLevelTokenizer, bos: LMToken, eos: LMToken?,
                            mode: ByteLevelMode = .exact, prompt: [UInt8], cacheCapacity: Int = 12) throws {
        try self.init(model: model, tokenizer: tokenizer, bos: bos, eos: eos, mode: mode, cacheCapacity: cacheCapacity)
        try skip(to: prompt)
    }

    /// Model calls and positions so far.
    public var statistics: LMCallStatistics { session.statistics }

    /// Jumps from the empty stream to `prompt`: bytes before its stable boundary are taken as given (their
    /// probability is a common factor of everything that follows), the rest is fed.
    func skip(to prompt: [UInt8]) throws {
        precondition(bytes.isEmpty)
        let c = tokenizer.stableStart(prompt)
        if c > 0 {
            bytes = Array(prompt[..<c])
            let (t, o) = encodeWithOffsets(bytes[...], base: 0)
            tokens = t; offsets = o
            anchor = c; anchorTokens = t.count
            encLogP = 0
            row = try session.row(after: contextTokens + tokens)
        }
        for b in prompt[c...] { try feed(b) }
    }

    func encodeWithOffsets(_ text: ArraySlice<UInt8>, base: Int) -> ([LMToken], [Int]) {
        let t = tokenizer.encode(text)
        var o: [Int] = [], at = base
        o.reserveCapacity(t.count)
        for id in t { o.append(at); at += tokenizer.table.length(id) }
        return (t, o)
    }

    // MARK: Validity

    /// The validity of every continuation τ of enc(bytes), computed once per position.
    func validityMask() -> [Bool] {
        if let mask { return mask }
        let V = tokenizer.table.count
        var m = [Bool](repeating: true, count: V)
        for t in 0..<V where tokenizer.table.length(LMToken(t)) == 0 { m[t] = false }
        if mode == .exact {
            var check = ContinuationCheck(tokenizer: tokenizer, window: Array(bytes[anchor...]),
                                          tokens: Array(tokens[anchorTokens...]), offsets: offsets[anchorTokens...].map { $0 - anchor },
                                          pieces: tailPieces)
            for t in 0..<V where m[t] { m[t] = check.isValid(LMToken(t)) }
        }
        mask = m
        return m
    }

    // MARK: Distribution

    /// P(next byte | bytes) for the 256 bytes and the end of text.
    /// - Throws: `ByteLevelError.zeroProbabilityPrefix` when the bytes have probability 0.
    /// - Complexity: O(V + covers).
    public func distribution() throws -> NextByteDistribution {
        let table = tokenizer.table
        var ref = encLogP
        for c in covers where c.logP > ref { ref = c.logP }
        guard ref.isFinite else { throw ByteLevelError.zeroProbabilityPrefix(byteOffset: bytes.count) }
        var mass = [Double](repeating: 0, count: 257)
        var Z = 0.0
        let n = bytes.count
        for c in covers {
            let w = _exp(c.logP - ref)
            Z += w
            mass[Int(table.byte(c.token, n - c.start))] += w
        }
        do {
            let w = _exp(encLogP - ref)
            Z += w
            if w > 0 {
                let valid = mode == .exact ? validityMask() : nil
                var perByte = [Double](repeating: 0, count: 256)
                for t in 0..<table.count {
                    let len = table.length(LMToken(t))
                    guard len > 0, valid?[t] ?? true else { continue }
                    perByte[Int(table.byte(LMToken(t), 0))] += _exp(row[t])
                }
                for b in 0..<256 { mass[b] += w * perByte[b] }
                if let eos { mass[256] += w * _exp(row[Int(eos)]) }
            }
        }
        let total = mass.reduce(0, +)
        guard total > 0 else { throw ByteLevelError.zeroProbabilityPrefix(byteOffset: bytes.count) }
        return NextByteDistribution(probabilities: mass.map { $0 / total }, logPrefixProbability: ref + _log(Z),
                                    leakedMass: max(0, 1 - total / Z))
    }

    // MARK: Feeding

    /// Appends byte `b` (one model call).
    /// - Throws: `ByteLevelError.zeroProbabilityPrefix` when bytes + b has probability 0 (nothing to
    ///   continue from), `.contextExceeded` when enc(bytes + b) no longer fits the model.
    public func feed(_ b: UInt8) throws {
        let table = tokenizer.table
        let n = bytes.count
        var next: [Cover] = []
        next.reserveCapacity(covers.count)
        for c in covers where table.byte(c.token, n - c.start) == b { next.append(c) }
        if encLogP > -.infinity {
            let valid = mode == .exact ? validityMask() : nil
            for i in tokenizer.trie.firstByte[Int(b)] {
                let t = tokenizer.trie.sorted[i]
                guard valid?[Int(t)] ?? true else { continue }
                let lp = encLogP + row[Int(t)]
                if lp > -.infinity { next.append(Cover(token: t, start: n, logP: lp)) }
            }
        }
        bytes.append(b)
        // Re-encode the bytes after the anchor; the tokens before it never change.
        let (tail, tailOffsets) = encodeWithOffsets(bytes[anchor...], base: anchor)
        tokens.removeSubrange(anchorTokens...)
        offsets.removeSubrange(anchorTokens...)
        tokens += tail
        offsets += tailOffsets
        // P(enc(xb)) is the cover that ends exactly at the new end and is enc(xb)'s last token.
        let lastStart = offsets.last ?? 0, lastToken = tokens.last
        var found: Double? = nil
        covers.removeAll(keepingCapacity: true)
        for c in next {
            if c.start + table.length(c.token) == bytes.count {
                if c.start == lastStart && c.token == lastToken { found = c.logP }
            } else {
                covers.append(c)
            }
        }
        guard let lp = found else {
            // enc(xb) was not reachable from the tracked covers: it has probability 0 under the model;
            // keep the covers, which still carry P(xb).
            encLogP = -.infinity
            try advanceAnchor()
            if covers.isEmpty { throw ByteLevelError.zeroProbabilityPrefix(byteOffset: bytes.count) }
            row = []
            mask = nil
            return
        }
        encLogP = lp
        try advanceAnchor()
        mask = nil
        if encLogP > -.infinity { row = try session.row(after: contextTokens + tokens) } else { row = [] }
        if encLogP == -.infinity && covers.isEmpty { throw ByteLevelError.zeroProbabilityPrefix(byteOffset: bytes.count) }
    }

    /// Moves the anchor to the new stable boundary and refreshes the window's pre-tokens.
    func advanceAnchor() throws {
        let window = Array(bytes[anchor...])
        var p = tokenizer.pieces(window)
        if p.count >= 2 {
            let newAnchor = anchor + p[p.count - 2].lowerBound
            if newAnchor > anchor, let k = offsets[anchorTokens...].firstIndex(of: newAnchor),
               covers.allSatisfy({ $0.start >= newAnchor }) {
                let shift = newAnchor - anchor
                anchor = newAnchor
                anchorTokens = k
                p = p.suffix(2).map { ($0.lowerBound - shift)..<($0.upperBound - shift) }
            }
        }
        tailPieces = p
    }
}

@inline(__always) func _exp(_ x: Double) -> Double { x == -.infinity ? 0 : Foundation_exp(x) }
@inline(__always) func _log(_ x: Double) -> Double { Foundation_log(x) }
