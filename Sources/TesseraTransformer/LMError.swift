// LMError: the runtime's own errors (wrong shapes, ids outside the vocabulary, misuse of the training
// API). File problems (shards, checkpoints) are `FormatError`s naming the file and the byte offset.
// Invariant: every message says what was expected and what was found. Complexity: O(1).

import Foundation

/// A problem with what was asked of a model (not with a file).
public enum LMError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// A batch or prefix that does not fit the model.
    case badShape(String)
    /// A token id the model has no embedding for.
    case tokenOutOfRange(id: Int, position: Int, vocabularySize: Int)
    /// `backward()` without a preceding forward pass with targets.
    case noForwardPass
    /// An invalid setting (learning rate, sampling parameters…).
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .badShape(let s): return s
        case .tokenOutOfRange(let id, let position, let v):
            return "token id \(id) at position \(position) is outside the model's vocabulary of \(v). Fix: use the tokenizer the model was trained with (its vocabulary size must be \(v))"
        case .noForwardPass: return "backward() needs a forward pass with targets first"
        case .invalidSetting(let s): return s
        }
    }

    public var errorDescription: String? { description }
}
