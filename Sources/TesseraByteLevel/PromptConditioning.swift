// Three ways to condition a tokenized model on a byte prompt that may end in the middle of a token
// (fill-in-the-middle, prompts cut at a character): Phan et al. 2025 compare them.
// - exact: P(continuation | prompt bytes), the byte-level conditional (ByteStream over prompt + continuation).
// - naive: tokenize the prompt on its own and let the model continue from those tokens; the continuation's
//   bytes are then judged as if they started a new text (the prompt/continuation boundary is forced to be
//   a token boundary — the tokenization bias).
// - tokenHealing (Lundberg 2023, Guidance): drop the prompt's last token and require the first generated
//   token to start with its bytes r; P(continuation | prompt) = P(r + continuation …) / P(r …) under that
//   constraint. The healed path is usually not canonical (prompt "…bridegr" + "oom": enc = [g, room] but
//   healing needs [gr, oom]), so healing is scored by the beam approximation over all token strings
//   (BeamByteStream), whose first token is constrained to cover r; `healingBeam` sets its width.
// Complexity: as ByteStream — one model call per byte after the prompt.

import TesseraLM

/// How a byte prompt is turned into model conditioning.
public enum PromptConditioning: String, Sendable, CaseIterable {
    case exact, naive, tokenHealing = "healing"
}

extension BeamByteStream {
    /// Token healing after `prompt`: the prompt's tokens but the last, whose bytes are fed with the first
    /// token constrained to cover them; `distribution()` is then the healed P(next byte | prompt).
    public static func healed(on prompt: [UInt8], model: Model, tokenizer: ByteLevelTokenizer, bos: LMToken, eos: LMToken?,
                              options: BeamOptions = BeamOptions(width: 16, threshold: 1e-4)) throws -> BeamByteStream {
        let tokens = tokenizer.encode(prompt)
        guard let last = tokens.last else {
            return try BeamByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, options: options)
        }
        let healed = Array(tokenizer.table.bytes(last))
        let s = try BeamByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, options: options,
                                   contextTokens: Array(tokens.dropLast()), healLength: healed.count)
        for b in healed { try s.feed(b) }
        return s
    }
}

extension PromptConditioning {
    /// A byte source positioned after `prompt`: its `distribution()` is P(next byte | prompt) under this
    /// method. Exact and naive conditioning are ByteStreams (with `mode`); token healing is a beam.
    /// - Throws: `ByteLevelError` from the stream (vocabulary mismatch, context, zero probability).
    public func source<Model: TokenLanguageModel>(prompt: [UInt8], model: Model, tokenizer: ByteLevelTokenizer, bos: LMToken,
                                                  eos: LMToken?, mode: ByteLevelMode = .exact,
                                                  healingBeam: BeamOptions = BeamOptions(width: 16, threshold: 1e-4)) throws -> any ByteSource {
        switch self {
        case .exact:
            return try ByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, mode: mode, prompt: prompt)
        case .naive:
            return try ByteStream(model: model, tokenizer: tokenizer, bos: bos, eos: eos, mode: mode,
                                  contextTokens: tokenizer.encode(prompt))
        case .tokenHealing:
            return try BeamByteStream.healed(on: prompt, model: model, tokenizer: tokenizer, bos: bos, eos: eos, options: healingBeam)
        }
    }
}
