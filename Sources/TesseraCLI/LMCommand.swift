// `tessera lm`: train, evaluate and sample GPT-2-style models on any Tessera tokenizer
// (TesseraTransformer). The subcommands share LMTokenizer (below) to turn text into ids.

import ArgumentParser
import Foundation
import TesseraFormats
import TesseraTokenizer
import TesseraTransformer

struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Small GPT-2-style language models: train, eval (bits/byte), sample.",
        subcommands: [LMTrainCommand.self, LMEvalCommand.self, LMSampleCommand.self])
}

/// True for a token-id shard path (`.tokens`, TokenShard in TesseraFormats; `.bin` from older `expand` runs).
func isShardPath(_ path: String) -> Bool { path.hasSuffix(".tokens") || path.hasSuffix(".bin") }

/// Text ↔ ids for the language model: a Tessera tokenizer, raw bytes (`bytes`, 256 ids), or only
/// the vocabulary size of pre-tokenized `.tokens` shards (`shards`: no text can be encoded).
struct LMTokenizer {
    let name: String
    let tokenizer: Tokenizer?
    /// The vocabulary of `shards` mode.
    var shardVocabulary: Int?

    /// `shards` mode: the vocabulary of the first shard; text inputs are refused.
    init(shardsOf paths: [String]) throws {
        name = "shards"
        tokenizer = nil
        guard let first = paths.first, isShardPath(first) else {
            throw CLIError("without --tokenizer every input must be a .tokens shard. Fix: pass --tokenizer for text")
        }
        shardVocabulary = Int(try TokenShard.read(path: first).vocabularySize)
    }

    init(_ nameOrPath: String) throws {
        name = nameOrPath
        if nameOrPath == "bytes" { tokenizer = nil; return }
        do { tokenizer = try TokenizerLoader.load(nameOrPath: nameOrPath) } catch {
            throw CLIError("cannot load tokenizer '\(nameOrPath)': \(error)")
        }
    }

    var vocabularySize: Int { shardVocabulary ?? tokenizer?.idUpperBound ?? 256 }

    /// Ids of `text` (special-token text is encoded as text) and the bytes each id stands for.
    func encode(_ text: [UInt8]) throws -> (ids: [UInt32], byteLengths: [Int]) {
        if shardVocabulary != nil {
            throw CLIError("text cannot be encoded without a tokenizer. Fix: pass --tokenizer, or give .tokens shards")
        }
        guard let tokenizer else { return (text.map { UInt32($0) }, Array(repeating: 1, count: text.count)) }
        let ids = try tokenizer.encode(text, specials: .asText)
        return (ids, ids.map { tokenizer.tokenBytes($0)?.count ?? 0 })
    }

    func decode(_ ids: [UInt32]) throws -> [UInt8] {
        guard let tokenizer else { return ids.map { UInt8(truncatingIfNeeded: $0) } }
        return try tokenizer.decode(ids)
    }

    /// Ids of the files (text, or `.tokens` shards) and the bytes of text they cover.
    func load(_ paths: [String]) throws -> (ids: [UInt32], bytes: UInt64) {
        var ids: [UInt32] = [], bytes: UInt64 = 0
        for item in try Inputs.expand(paths) {
            if isShardPath(item.name) {
                let shard = try TokenShard.read(path: item.name)
                guard Int(shard.vocabularySize) == vocabularySize else {
                    throw CLIError("\(item.name): the shard's vocabulary has \(shard.vocabularySize) ids but tokenizer '\(name)' has \(vocabularySize). Fix: pass the tokenizer the shard was made with")
                }
                ids += shard.ids
                bytes += shard.byteCount
            } else {
                let text = try item.read()
                ids += try encode(text).ids
                bytes += UInt64(text.count)
            }
        }
        return (ids, bytes)
    }
}

/// "1:02:03" / "2:03".
func clockTime(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}

/// The checkpoint and tokenizer options of eval and sample.
struct LMCheckpointOptions: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: "Checkpoint (.safetensors).") var model: String
    @Option(name: [.customShort("t"), .long], help: "Tokenizer (default: the one the checkpoint names).") var tokenizer: String?
    @Option(name: .long, help: "Attention heads, for checkpoints that do not record them.") var heads: Int?
    @Option(name: .long, help: "OpenBLAS threads.") var threads = 1

    /// The model, with the tokenizer it names unless --tokenizer is given.
    func load() throws -> (GPTModel, LMTokenizer) {
        let m = try GPTModel.load(from: model, heads: heads, backend: CPUBackend(threads: max(threads, 1)))
        let tok: LMTokenizer
        if let name = tokenizer ?? m.info["tokenizer"] { tok = try LMTokenizer(name) } else {
            var t = try LMTokenizer("bytes")
            t.shardVocabulary = m.config.vocabularySize     // a model trained on shards: shards only
            tok = t
        }
        let name = tok.name
        guard tok.vocabularySize <= m.config.vocabularySize else {
            throw CLIError("tokenizer '\(name)' has \(tok.vocabularySize) ids but \(model) has a vocabulary of \(m.config.vocabularySize). Fix: use the tokenizer the model was trained with")
        }
        return (m, tok)
    }
}
