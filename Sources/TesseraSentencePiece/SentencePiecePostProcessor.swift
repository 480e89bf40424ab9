// SentencePiecePostProcessor: the BOS/EOS ids SentencePiece adds when asked (Python `encode(add_bos=True,
// add_eos=True)`, sentencepiece_pybind.cc RewriteIds): BOS in front, EOS at the end. Llama-style models add BOS
// by convention; `Tokenizer.encode(addSpecialTokens: true)` runs this stage, and it is off by default.
//
// Invariant: the ids of the text are unchanged; added tokens get empty offset ranges at their position.
// Complexity: O(n) for the insertion at the front.

import TesseraBPE
import TesseraTokenizer

/// Adds `<s>` and/or `</s>` around an encoding.
public struct SentencePiecePostProcessor: PostProcessing, Sendable {
    public let bos: TokenID?
    public let eos: TokenID?
    public let addsBOS: Bool
    public let addsEOS: Bool

    public init(bos: TokenID?, eos: TokenID?, addsBOS: Bool = true, addsEOS: Bool = false) {
        self.bos = bos
        self.eos = eos
        self.addsBOS = addsBOS
        self.addsEOS = addsEOS
    }

    public func process(_ ids: inout [TokenID], offsets: UnsafeMutablePointer<[Range<Int>]>?) {
        if addsBOS, let bos {
            ids.insert(bos, at: 0)
            offsets?.pointee.insert(0..<0, at: 0)
        }
        if addsEOS, let eos {
            let end = offsets?.pointee.last?.upperBound ?? 0
            ids.append(eos)
            offsets?.pointee.append(end..<end)
        }
    }

    public var summary: String {
        var parts: [String] = []
        if addsBOS, let bos { parts.append("BOS \(bos) first") }
        if addsEOS, let eos { parts.append("EOS \(eos) last") }
        return parts.isEmpty ? "none" : "SentencePiece: " + parts.joined(separator: ", ") + " (when special tokens are added)"
    }
}
