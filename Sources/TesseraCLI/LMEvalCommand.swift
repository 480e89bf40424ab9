// `tessera lm eval`: held-out loss per token and bits per byte of a checkpoint on text files.

import ArgumentParser
import Foundation
import TesseraTransformer

struct LMEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Bits per byte and loss per token of a model on text files (or .tokens shards).")

    @OptionGroup var checkpoint: LMCheckpointOptions
    @Option(name: .long, help: "Windows per forward pass.") var batch = 8
    @Flag(name: .long, help: "Print JSON.") var json = false
    @Argument(help: "Text files or folders, or .tokens shards.") var paths: [String]

    func run() throws {
        let (m, tok) = try checkpoint.load()
        let out = OutputBuffer()
        for item in try Inputs.expand(paths) {
            let e: LMEvaluation
            do {
                if isShardPath(item.name) {
                    let (ids, bytes) = try tok.load([item.name])
                    e = try m.evaluate(tokens: ids, totalBytes: bytes, batch: batch)
                } else {
                    let (ids, lengths) = try tok.encode(try item.read())
                    e = try m.evaluate(tokens: ids, byteLengths: lengths, batch: batch)
                }
            } catch let error as LMError { throw CLIError("\(item.name): \(error)") }
            if json {
                out.write("{\"file\":\(JSONText.quote(item.name)),\"tokens\":\(e.predictedTokens),\"bytes\":\(e.predictedBytes),"
                          + "\"nats_per_token\":\(e.lossPerToken),\"bits_per_byte\":\(e.bitsPerByte)}\n")
            } else {
                out.write(item.name + String(format: ": %d tokens, %.0f bytes, %.4f nats/token, %.4f bits/byte\n",
                                             e.predictedTokens, e.predictedBytes, e.lossPerToken, e.bitsPerByte))
            }
        }
    }
}
