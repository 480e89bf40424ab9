// PieceEmitter: turns a model's segmentation (piece ids with the bytes they cover) into output ids the way
// SentencePieceProcessor::PopulateSentencePieceText does:
//
// - an unknown piece with byte_fallback on becomes one `<0xNN>` piece per UTF-8 byte of its text;
// - without byte fallback, a run of consecutive unknown pieces becomes one `<unk>` id covering the whole run
//   ("merges continuous run of unknown pieces so that decoder can copy or generate unknown tokens easily").
//
// Invariant: the spans appended sum to the bytes given. Complexity: O(1) per piece, O(bytes) for byte fallback.

import TesseraBPE

/// Collects the ids (and spans) of one encode call in a buffer sized by the text; keeps the "previous piece was
/// unknown" state between pieces.
struct PieceEmitter {
    let unkID: TokenID
    let byteFallback: Bool
    let byteIDs: UnsafePointer<TokenID>
    /// Every id covers at least one byte, so a buffer of the text's size cannot overflow.
    let out: UnsafeMutablePointer<TokenID>
    private(set) var count = 0
    let spans: UnsafeMutablePointer<[Int]>?
    private var previousWasUnknown = false

    init(table: SentencePiecePieceTable.View, out: UnsafeMutablePointer<TokenID>, spans: UnsafeMutablePointer<[Int]>?) {
        unkID = table.unkID
        byteFallback = table.byteFallback
        byteIDs = table.byteIDs
        self.out = out
        self.spans = spans
    }

    /// Emits piece `id` covering `bytes[0..<length]`.
    @inline(__always)
    mutating func emit(_ id: TokenID, _ bytes: UnsafePointer<UInt8>, _ length: Int) {
        if id != unkID {
            out[count] = id
            count &+= 1
            spans?.pointee.append(length)
            previousWasUnknown = false
            return
        }
        if byteFallback {
            for k in 0..<length {
                out[count] = byteIDs[Int(bytes[k])]
                count &+= 1
                spans?.pointee.append(1)
            }
        } else if previousWasUnknown {
            if let spans { spans.pointee[spans.pointee.count - 1] += length }
        } else {
            out[count] = id
            count &+= 1
            spans?.pointee.append(length)
        }
        previousWasUnknown = true
    }

    /// Emits ids that contain no merged unknown piece (a cached word); `spanLength` gives each id's bytes.
    @inline(__always)
    mutating func emitKnown(_ ids: UnsafePointer<TokenID>, _ n: Int, spanLength: UnsafePointer<Int32>) {
        for j in 0..<n {
            out[count &+ j] = ids[j]
            spans?.pointee.append(Int(spanLength[Int(ids[j])]))
        }
        count &+= n
        previousWasUnknown = false
    }
}
