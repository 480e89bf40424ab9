// ContinuationCheck: is enc(x) + [τ] canonical? Decided for every τ of the vocabulary at one position, so
// everything that does not depend on τ is held here once: the window (the bytes after the stable anchor),
// its tokens, token offsets and pre-tokens.
//
// With z = window + bytes(τ): τ must lie inside z's last pre-token; z's earlier pre-tokens must be token-
// aligned with canonical runs (a pre-token identical to one of the window's is already known canonical);
// the last pre-token's run (window tokens from its start, then τ) must be canonical — reachable tokens and
// canonical adjacent pairs (BPECanonicality), or exactly the whole piece under whole-piece lookup.
// Complexity per τ: one pre-tokenization of |window| + |τ| bytes and O(run) pair tests.

import TesseraBPE
import TesseraLM
import TesseraPreTokenizers

struct ContinuationCheck {
    let canon: BPECanonicality
    let table: TokenByteTable
    let pre: any PreTokenizer
    let lookupWhole: Bool
    let tokens: [LMToken], offsets: [Int], pieces: [Range<Int>]
    var z: [UInt8]
    let y: Int
    var zPieces: [Range<Int>] = []
    /// Per window token k: whether tokens[k...] is a canonical run (0 unknown, 1 yes, 2 no) — it does not
    /// depend on τ.
    var tailRun: [UInt8]

    init(tokenizer: ByteLevelTokenizer, window: [UInt8], tokens: [LMToken], offsets: [Int], pieces: [Range<Int>]) {
        canon = tokenizer.canonicality
        table = canon.table
        pre = tokenizer.preTokenizer
        lookupWhole = canon.looksUpWholePiece && canon.hasUnreachableTokens
        self.tokens = tokens; self.offsets = offsets; self.pieces = pieces
        z = window
        y = window.count
        zPieces.reserveCapacity(8)
        tailRun = [UInt8](repeating: 0, count: tokens.count + 1)
    }

    func whole(_ z: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> TokenID? {
        lookupWhole ? canon.vocabulary.id(of: UnsafeBufferPointer(rebasing: z[r])) : nil
    }

    mutating func isValid(_ tau: LMToken) -> Bool {
        z.removeSubrange(y...)
        z.append(contentsOf: table.bytes(tau))
        zPieces.removeAll(keepingCapacity: true)
        let pre = self.pre
        z.withUnsafeBufferPointer { buf in pre.forEachPiece(in: buf) { zPieces.append($0) } }
        guard let last = zPieces.last, last.lowerBound <= y, last.upperBound == z.count else { return false }
        let n = tokens.count
        // -1: invalid, -2: valid, k ≥ 0: valid iff tokens[k...] + [τ] is a canonical run.
        let verdict = z.withUnsafeBufferPointer { zb -> Int in
            var k = 0, tp = 0
            for piece in zPieces.dropLast() {
                while tp < pieces.count && pieces[tp].lowerBound < piece.lowerBound { tp += 1 }
                let known = tp < pieces.count && pieces[tp] == piece
                while k < n && offsets[k] < piece.lowerBound { k += 1 }
                guard k < n, offsets[k] == piece.lowerBound else { return -1 }
                let first = k
                while k < n && offsets[k] < piece.upperBound { k += 1 }
                guard (k < n ? offsets[k] : y) == piece.upperBound else { return -1 }
                if !known && !canon.isCanonicalRun(tokens[first..<k], wholePiece: whole(zb, piece)) { return -1 }
            }
            while k < n && offsets[k] < last.lowerBound { k += 1 }
            guard (k < n ? offsets[k] : y) == last.lowerBound else { return -1 }
            if let w = whole(zb, last) { return k == n && w == tau ? -2 : -1 }
            guard canon.isReachable(tau) else { return -1 }
            return k < n ? k : -2
        }
        if verdict < 0 { return verdict == -2 }
        if tailRun[verdict] == 0 { tailRun[verdict] = canon.isCanonicalRun(tokens[verdict...], wholePiece: nil) ? 1 : 2 }
        return tailRun[verdict] == 1 && canon.isCanonicalPair(tokens[n - 1], tau)
    }
}
