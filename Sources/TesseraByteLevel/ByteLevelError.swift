// Errors of the byte-level layer: every failure names what was wrong and how to fix it.

/// Why a byte-level computation could not run.
public enum ByteLevelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The tokenizer is not a plain byte-level BPE pipeline (a normalizer, a decoder, a rewriting
    /// pre-tokenizer or added tokens make `decode(encode(x)) ≠ x`, so byte prefixes are not well defined).
    case unsupportedTokenizer(name: String, reason: String)
    /// The language model predicts over fewer ids than the tokenizer produces.
    case vocabularyMismatch(tokenizer: String, tokenizerIDs: Int, modelIDs: Int)
    /// A special id (BOS/EOS) is outside the model's vocabulary or is an ordinary token.
    case badSpecialID(role: String, id: Int, modelIDs: Int)
    /// The byte prefix needs more token positions than the model's context.
    case contextExceeded(tokens: Int, contextLength: Int)
    /// Text that must not be empty was empty.
    case emptyInput(String)
    /// The prefix has probability zero under the model (nothing can be conditioned on it).
    case zeroProbabilityPrefix(byteOffset: Int)
    /// An ensemble needs at least one member; members must agree on the end-of-text convention.
    case badEnsemble(String)
    /// An option is out of range.
    case badOption(String)
    /// The language model failed.
    case model(String)

    public var description: String {
        switch self {
        case .unsupportedTokenizer(let name, let reason):
            return "tokenizer '\(name)' is not supported for byte-level probabilities: \(reason). Fix: use a byte-level BPE tokenizer without normalizer or decoder (tiktoken files, GPT-2 style tokenizer.json)"
        case .vocabularyMismatch(let tok, let t, let m):
            return "tokenizer '\(tok)' produces \(t) ids but the model predicts over \(m). Fix: pass the tokenizer the model was trained with"
        case .badSpecialID(let role, let id, let m):
            return "\(role) id \(id) is not a special id of a model with \(m) ids. Fix: pass an id < \(m) that is not an ordinary token of the tokenizer"
        case .contextExceeded(let n, let ctx):
            return "the prefix needs \(n) token positions but the model's context is \(ctx). Fix: shorten the prompt or score in windows (--window)"
        case .emptyInput(let what):
            return "\(what) is empty. Fix: give at least one byte"
        case .zeroProbabilityPrefix(let at):
            return "the model gives the prefix probability 0 at byte \(at). Fix: check the model/tokenizer pair, or use --mode fast"
        case .badEnsemble(let why):
            return "bad ensemble: \(why)"
        case .badOption(let why):
            return "bad option: \(why)"
        case .model(let why):
            return "language model error: \(why)"
        }
    }
}
