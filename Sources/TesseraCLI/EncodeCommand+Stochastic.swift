// `tessera encode --stochastok P` / `--dropout P`: each input (or line, with --lines) is one document
// with its own seed, so the output is the same for any --threads.

import Foundation
import TesseraTokenizer

extension EncodeCommand {
    func runStochastic(_ plan: StochasticOptions.Plan, tokenizer: Tokenizer, items: [InputItem], out: OutputBuffer,
                       progress: Progress) throws {
        var index = 0
        let withOffsets = offsets || output == .pieces
        for item in items {
            let bytes = try item.read()
            let records: [[UInt8]] = lines ? Self.splitLines(bytes) : [bytes]
            for (line, record) in records.enumerated() {
                let r = try plan.encode(record, index: index, seed: stochastic.seed, tokenizer: tokenizer,
                                        specials: specialOptions.policy, withOffsets: withOffsets, threads: threadOptions.count)
                index += 1
                write(r.ids, offsets: offsets ? r.offsets : nil, item: item, line: lines ? line + 1 : nil, tokenizer: tokenizer, to: out)
            }
            progress.advance(bytes: bytes.count)
        }
    }
}
