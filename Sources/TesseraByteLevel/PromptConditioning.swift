// Three ways to condition a tokenized model on a byte prompt that may end in the middle of a token
// (fill-in-the-middle, prompts cut at a character): Phan et al. 2025 compare them.
// - exact: P(continuation | prompt bytes), the byte-level conditional (ByteStream over prompt + continuation).
// - naive: tokenize the prompt on its own and let the model continue from those tokens; the continuation's
//   bytes are then judged as if they started a new text (the prompt/continuation boundary is forced to be
//   a token boundary — the tokenization bias).
// - tokenHealing (Lundberg 2023, Guidance): drop the prompt's last token and require the first generated
//   token to start with its bytes r; P(continuation | prompt) = P(r + continuation …) / P(r …) under that
//   constraint. No canonicality filter (it is a token-level heuristic), so these streams run in `.fast` mode.
// Complexity: as ByteStream — one model call per byte after the prompt.

import TesseraLM

/// How a byte prompt is turned into model conditioning.
public enum PromptConditioning: String, Sendable, CaseIterable {
    case exact, naive, tokenHealing = "healing"
}

extension ByteStream {
    /// A stream positioned after `prompt` under `method`; its `distribution()` is P(next byte | prompt).
    /// - Throws: `ByteLevelError` from the stream (vocabulary mismatch, context, zero probability).
    public static func conditioned(on prompt: [UInt8], method: PromptConditioning, model: Model, tokenizer: ByteLevelTokenizer,
                                   bos: LMToken, eos: LMToken?, mode: ByteLevelMode = .exact) throws -> ByteStream {
        switch method {
        case .exact:
            return try ByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, mode: mode, prompt: prompt)
        case .naive:
            return try ByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, mode: mode,
                                  contextTokens: tokenizer.encode(prompt))
        case .tokenHealing:
            let tokens = tokenizer.encode(prompt)
            guard let last = tokens.last else {
                return try ByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, mode: .fast)
            }
            let healed = Array(tokenizer.table.bytes(last))
            let s = try ByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, mode: .fast,
                                   contextTokens: Array(tokens.dropLast()), healLength: healed.count)
            for b in healed { try s.feed(b) }
            return s
        }
    }
}
