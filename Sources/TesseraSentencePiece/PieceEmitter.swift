// PieceEmitter: turns a model's segmentation (piece ids with the bytes they cover) into output ids the way
// SentencePieceProcessor::PopulateSentencePieceText does:
//
// - an unknown piece with byte_fallback on becomes one `<0xNN>` piece per UTF-8 byte of its text;
// - without byte fallback, a run of consecutive unknown pieces becomes one `<unk>` id covering the whole run
//   ("merges continuous run of unknown pieces so that decoder can copy or generate unknown tokens easily").
//
// Invariant: the spans appended sum to the bytes given. Complexity: O(1) per piece, O(bytes) for byte fallback.

import TesseraBPE

/// Appends ids (and spans) for one encode call; keeps the "previous piece was unknown" state between pieces.
struct PieceEmitter {
    let unkID: TokenID
    let byteFallback: Bool
    let byteIDs: UnsafePointer<TokenID>
    private var previousWasUnknown = false

    init(unkID: TokenID, byteFallback: Bool, byteIDs: UnsafePointer<TokenID>) {
        self.unkID = unkID
        self.byteFallback = byteFallback
        self.byteIDs = byteIDs
    }

    /// Emits piece `id` covering `bytes[0..<length]`.
    @inline(__always)
    mutating func emit(_ id: TokenID, _ bytes: UnsafePointer<UInt8>, _ length: Int, into ids: inout [TokenID],
                       spans: UnsafeMutablePointer<[Int]>?) {
        if id != unkID {
            ids.append(id)
            spans?.pointee.append(length)
            previousWasUnknown = false
            return
        }
        if byteFallback {
            for k in 0..<length {
                ids.append(byteIDs[Int(bytes[k])])
                spans?.pointee.append(1)
            }
        } else if previousWasUnknown {
            if let spans { spans.pointee[spans.pointee.count - 1] += length }
        } else {
            ids.append(id)
            spans?.pointee.append(length)
        }
        previousWasUnknown = true
    }

    /// Emits ids that are known to contain no unknown piece (a cached word), with their span lengths.
    @inline(__always)
    mutating func emitKnown(_ id: TokenID, span: Int, into ids: inout [TokenID], spans: UnsafeMutablePointer<[Int]>?) {
        ids.append(id)
        spans?.pointee.append(span)
        previousWasUnknown = false
    }
}
