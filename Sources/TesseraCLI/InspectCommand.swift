// `tessera inspect`: what a tokenizer is made of.

import ArgumentParser
import Foundation
import TesseraBPE
import TesseraTokenizer

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a tokenizer: vocabulary size, merge rule, special tokens, pattern, normalizer.")

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let start = Date()
        let tokenizer = try tokenizerOptions.load()
        let loadMS = Date().timeIntervalSince(start) * 1000
        let vocabulary = tokenizer.vocabulary
        let rule = tokenizer.model.summary
        var merges = 0
        if case .mergeList(let list, _) = tokenizer.bpeModel?.rule { merges = list.count }
        if let characterBPE = tokenizer.model as? CharacterBPEModel { merges = characterBPE.merges.count }
        let longest = (0..<vocabulary.idUpperBound).reduce(0) { max($0, vocabulary.byteCount(of: TokenID($1))) }
        // Hugging Face added tokens (some may also be model tokens), else the special tokens.
        let specials = tokenizer.addedVocabulary.map { $0.tokens.sorted { $0.id < $1.id }.map { ($0.content, $0.id) } }
            ?? tokenizer.specialTokens.entries.map { (String(decoding: $0.bytes, as: UTF8.self), $0.id) }
        let out = OutputBuffer()
        if json {
            out.write("{\"name\":" + JSONText.quote(tokenizer.name))
            out.write(",\"vocabulary_tokens\":\(vocabulary.count),\"id_upper_bound\":\(tokenizer.idUpperBound)")
            out.write(",\"model\":" + JSONText.quote(rule) + ",\"merges\":\(merges),\"longest_token_bytes\":\(longest)")
            out.write(",\"special_tokens\":{" + specials.map { JSONText.quote($0.0) + ":\($0.1)" }.joined(separator: ",") + "}")
            out.write(",\"pattern\":" + (tokenizer.patternDescription.map(JSONText.quote) ?? "null"))
            out.write(",\"normalizer\":" + (tokenizer.normalizer.map { JSONText.quote($0.summary) } ?? "null"))
            out.write(",\"decoder\":" + (tokenizer.decoder.map { JSONText.quote($0.summary) } ?? "null"))
            out.write(",\"post_processor\":" + (tokenizer.postProcessor.map { JSONText.quote($0.summary) } ?? "null"))
            out.write(",\"load_ms\":" + String(format: "%.1f", loadMS) + "}\n")
        } else {
            out.write("name:              \(tokenizer.name)\n")
            out.write("vocabulary:        \(vocabulary.count) tokens (ids < \(tokenizer.idUpperBound) incl. specials)\n")
            out.write("model:             \(rule)\n")
            if merges > 0 { out.write("merges:            \(merges)\n") }
            out.write("longest token:     \(longest) bytes\n")
            out.write("special tokens:    \(specials.count)\n")
            for (text, id) in specials.prefix(20) { out.write("  \(id)\t\(JSONText.quote(text))\n") }
            if specials.count > 20 { out.write("  … \(specials.count - 20) more\n") }
            out.write("pattern:           \(tokenizer.patternDescription ?? "(none)")\n")
            out.write("normalizer:        \(tokenizer.normalizer?.summary ?? "(none)")\n")
            if let decoder = tokenizer.decoder { out.write("decoder:           \(decoder.summary)\n") }
            if let post = tokenizer.postProcessor { out.write("post-processor:    \(post.summary)\n") }
            out.write("load time:         " + String(format: "%.1f ms", loadMS) + "\n")
        }
        out.flush()
    }
}
