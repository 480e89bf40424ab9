// Where encoding writes its ids: a growable `[TokenID]`, or a `TokenIDBuffer` of fixed capacity.
//
// Why: appending to a Swift array checks uniqueness and capacity on every id (5.6 M ids per pass over the
// 20 MB benchmark corpus); a byte-level BPE token covers at least one byte, so a buffer of one id per input
// byte can never overflow and its append is a store and an increment. The encoder is generic over the
// sink, so both compile to straight-line code.

/// A destination for token ids.
public protocol TokenSink {
    /// Ids written so far.
    var count: Int { get }
    mutating func append(_ id: TokenID)
    /// The id at `position` (< count).
    subscript(position: Int) -> TokenID { get }
    /// Calls `body` with the ids from `start` to the end.
    func withIDs<R>(from start: Int, _ body: (UnsafeBufferPointer<TokenID>) -> R) -> R
}

extension Array: TokenSink where Element == TokenID {
    @inlinable
    public func withIDs<R>(from start: Int, _ body: (UnsafeBufferPointer<TokenID>) -> R) -> R {
        withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start...])) }
    }
}

/// Ids written into caller-owned memory with no capacity checks: the caller guarantees room for every id
/// (for byte-level BPE, one per input byte).
public struct TokenIDBuffer: TokenSink {
    public let base: UnsafeMutablePointer<TokenID>
    public var count = 0

    @inlinable public init(base: UnsafeMutablePointer<TokenID>) { self.base = base }

    @inlinable @inline(__always)
    public mutating func append(_ id: TokenID) {
        base[count] = id
        count &+= 1
    }

    @inlinable public subscript(position: Int) -> TokenID { base[position] }

    @inlinable
    public func withIDs<R>(from start: Int, _ body: (UnsafeBufferPointer<TokenID>) -> R) -> R {
        body(UnsafeBufferPointer(start: base + start, count: count - start))
    }
}
