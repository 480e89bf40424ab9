/// Errors raised while building or using a BPE model. Each names the offending token or id.
public enum BPEError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyToken(id: TokenID)
    case duplicateTokenBytes(firstID: TokenID, secondID: TokenID, bytes: [UInt8])
    case duplicateTokenID(TokenID)
    /// An id at or above `Vocabulary.idLimit` (ids index dense tables, so they must stay small).
    case idOutOfRange(TokenID)
    case missingByteTokens([UInt8])
    case mergeReferencesUnknownID(mergeIndex: Int, id: TokenID)
    case mergeResultNotInVocabulary(mergeIndex: Int, bytes: [UInt8])
    case unknownTokenID(TokenID)
    /// A token the model needs (such as its unknown token) is not in the vocabulary.
    case missingToken(role: String, text: String)

    public var description: String {
        switch self {
        case .emptyToken(let id):
            return "token \(id) has no bytes; every token must be at least one byte long"
        case .duplicateTokenBytes(let a, let b, let bytes):
            return "tokens \(a) and \(b) have the same bytes \(BPEError.show(bytes)); token bytes must be unique"
        case .duplicateTokenID(let id):
            return "token id \(id) is assigned twice"
        case .idOutOfRange(let id):
            return "token id \(id) is not below \(Vocabulary.idLimit), the largest id Tessera accepts"
        case .missingByteTokens(let bytes):
            let shown = bytes.prefix(8).map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: ", ")
            return "the vocabulary has no single-byte token for \(bytes.count) byte value(s) (\(shown)\(bytes.count > 8 ? ", …" : "")); "
                + "a byte-level BPE vocabulary needs all 256"
        case .mergeReferencesUnknownID(let index, let id):
            return "merge #\(index + 1) uses token id \(id), which is not in the vocabulary"
        case .mergeResultNotInVocabulary(let index, let bytes):
            return "merge #\(index + 1) produces \(BPEError.show(bytes)), which is not in the vocabulary"
        case .unknownTokenID(let id):
            return "token id \(id) is not in the vocabulary"
        case .missingToken(let role, let text):
            return "the \(role) \(text.debugDescription) is not in the vocabulary"
        }
    }

    static func show(_ bytes: [UInt8]) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return "\"\(s.debugDescription.dropFirst().dropLast())\"" }
        return "<" + bytes.map { String($0, radix: 16) }.joined(separator: " ") + ">"
    }
}
