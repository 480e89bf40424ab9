// `tessera lm sample`: continues a prompt with KV-cache generation (temperature, top-k, top-p, seed).

import ArgumentParser
import Foundation
import TesseraTransformer

struct LMSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Continue a prompt with a trained model.")

    @OptionGroup var checkpoint: LMCheckpointOptions
    @Option(name: .long, help: "Prompt text.") var prompt: String
    @Option(name: .long, help: "Tokens to generate.") var tokens = 100
    @Option(name: .long, help: "Temperature (0: greedy).") var temperature: Float = 1
    @Option(name: .long, help: "Keep the k most likely tokens (0: all).") var topK = 0
    @Option(name: .long, help: "Nucleus probability (1: all).") var topP: Float = 1
    @Option(name: .long, help: "Seed.") var seed: UInt64 = 1

    func validate() throws {
        if let p = SamplingOptions(temperature: temperature, topK: topK, topP: topP).problem { throw ValidationError(p) }
        if tokens < 0 { throw ValidationError("--tokens must be ≥ 0") }
    }

    func run() throws {
        let (m, tok) = try checkpoint.load()
        let ids = try tok.encode(Array(prompt.utf8)).ids
        let clock = ContinuousClock(), start = clock.now
        let generated: [UInt32]
        do {
            generated = try m.generate(prompt: ids, maxNewTokens: tokens,
                                       options: SamplingOptions(temperature: temperature, topK: topK, topP: topP), seed: seed)
        } catch let error as LMError { throw CLIError("\(error)") }
        let elapsed = clock.now - start
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let out = OutputBuffer()
        out.write(prompt + String(decoding: try tok.decode(generated), as: UTF8.self) + "\n")
        FileHandle.standardError.write(Data(String(format: "lm sample: %d prompt + %d generated tokens in %.3f s (%.0f tokens/s); peak memory %.1f MiB\n",
                                                   ids.count, generated.count, secs, Double(generated.count) / max(secs, 1e-9),
                                                   Double(peakResidentBytes()) / 1_048_576).utf8))
    }
}
