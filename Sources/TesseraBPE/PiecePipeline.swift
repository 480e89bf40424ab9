// Software-pipelined encoding of a stream of pre-token pieces.
//
// Why: almost every piece starts with a lookup in a table far larger than L1/L2 (the per-thread hot
// cache, 512 KiB; the vocabulary's slots, 4–8 MB), and the scanner produces the next piece only after
// the current one is encoded, so those cache misses were paid one after another. Here a piece is hashed
// and its first table entries are prefetched when the scanner yields it, and it is encoded `distance`
// pieces later, when its loads have landed: the misses of consecutive pieces overlap.
// Invariant: pieces are encoded in the order they were fed, each exactly as `Encoder.encode` would, so
// the ids are identical to the unpipelined loop (a differential test checks this).
// Complexity: O(1) extra per piece; `distance` prepared pieces of state.

/// A piece hashed ahead of its encoding (`BPEModel.Encoder.prepare`).
public struct PreparedPiece {
    public let text: UnsafePointer<UInt8>
    public let length: Int
    @usableFromInline let word: UInt64
    @usableFromInline let hash: UInt64

    @inlinable init(text: UnsafePointer<UInt8>, length: Int, word: UInt64, hash: UInt64) {
        self.text = text; self.length = length; self.word = word; self.hash = hash
    }
}

/// A ring of pieces fed but not yet encoded. Use through `BPEModel.Encoder.withPipeline(_:)`.
public struct PiecePipeline {
    /// How many pieces ahead of encoding a piece is prepared. 8 covers a last-level-cache miss
    /// (≈ 100 ns) at ≈ 15–25 ns per piece; see docs/algorithms/bpe-encoding.md for what was measured.
    public static let distance = 8
    @usableFromInline let ring: UnsafeMutablePointer<PreparedPiece>
    @usableFromInline let encoder: BPEModel.Encoder
    @usableFromInline var fed = 0

    @inlinable init(ring: UnsafeMutablePointer<PreparedPiece>, encoder: BPEModel.Encoder) {
        self.ring = ring; self.encoder = encoder
    }

    /// Prepares the `n` bytes at `text` and encodes the piece fed `distance` pieces before it, if any.
    @inlinable @inline(__always)
    public mutating func feed<S: TokenSink>(_ text: UnsafePointer<UInt8>, _ n: Int, into out: inout S) {
        let slot = fed & (Self.distance - 1)
        if fed >= Self.distance { encoder.encode(ring[slot], into: &out) }
        ring[slot] = encoder.prepare(text, n)
        fed &+= 1
    }

    /// Encodes the pieces still in the ring, oldest first.
    @inlinable
    public mutating func drain<S: TokenSink>(into out: inout S) {
        var k = max(0, fed - Self.distance)
        while k < fed {
            encoder.encode(ring[k & (Self.distance - 1)], into: &out)
            k += 1
        }
        fed = 0
    }
}

extension BPEModel.Encoder {
    /// Runs `body` with an empty pipeline over this encoder; call `drain` before reading the output.
    @inlinable
    public func withPipeline<T>(_ body: (inout PiecePipeline) throws -> T) rethrows -> T {
        try withUnsafeTemporaryAllocation(of: PreparedPiece.self, capacity: PiecePipeline.distance) { ring in
            var pipeline = PiecePipeline(ring: ring.baseAddress!, encoder: self)
            return try body(&pipeline)
        }
    }
}
