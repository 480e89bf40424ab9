import TesseraBPE
import TesseraUnicode

/// Errors from encoding and decoding. Each message names the input position and the fix.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text contains a special token's text while the policy is `.raise`.
    case disallowedSpecialToken(text: String, byteOffset: Int)
    /// An id that is neither a vocabulary token nor a special token.
    case unknownTokenID(TokenID, position: Int)
    /// The normalizer rejected the input (invalid UTF-8 for a Unicode normalizer).
    case normalization(String)
    /// Decoded bytes are not valid UTF-8 and strict decoding was asked for.
    case invalidUTF8InDecodedText(byteOffset: Int)
    /// A special token's id collides with an ordinary token or another special token.
    case conflictingSpecialToken(text: String, id: TokenID)
    /// Streaming decode with a decoder: the text of the current window no longer starts with the text already
    /// returned (Hugging Face's `DecodeStreamError::InvalidPrefix`).
    case streamingPrefixMismatch(id: TokenID, expected: String, actual: String)

    public var description: String {
        switch self {
        case .disallowedSpecialToken(let text, let offset):
            return "the input contains the special token \(text) at byte \(offset); special tokens are refused by default. "
                + "Pass --allow-special (API: specials: .allow) to encode it as a special token, "
                + "or --special as-text (API: .asText) to encode it as ordinary text"
        case .unknownTokenID(let id, let position):
            return "token id \(id) at position \(position) is not in the vocabulary or its special tokens"
        case .normalization(let message):
            return "normalization failed: \(message)"
        case .invalidUTF8InDecodedText(let offset):
            return "the decoded bytes are not valid UTF-8 (first bad byte at offset \(offset)); "
                + "use --utf8 replace (API: .replace) to substitute U+FFFD, or decode to raw bytes"
        case .conflictingSpecialToken(let text, let id):
            return "special token \(text) uses id \(id), which is already taken"
        case .streamingPrefixMismatch(let id, let expected, let actual):
            return "streaming decode: after token \(id) the text \(actual.debugDescription) no longer starts with the text "
                + "already returned, \(expected.debugDescription); decode the whole sequence with decode(_:) instead"
        }
    }
}
