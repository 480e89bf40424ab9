// `tessera bytes cut`: the fill-in-the-middle style experiment — prompts cut at random character positions
// of a text, and the log-likelihood of the true continuation under byte-exact conditioning, naive prompt
// tokenization and token healing (docs/algorithms/byte-probabilities.md).

import ArgumentParser
import Foundation
import TesseraByteLevel
import TesseraTokenizer

struct BytesCutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cut",
        abstract: "Continuation log-likelihood after prompts cut at random characters: exact vs naive vs token healing.")
    @OptionGroup var options: BytesModelOptions
    @Argument(help: "Text file (lines are the documents).") var file: String
    @Option(name: .long, help: "Number of cuts.") var cuts = 100
    @Option(name: .long, help: "Continuation bytes scored after each cut.") var continuation = 32
    @Option(name: .long, help: "Prompt bytes before the cut, at most.") var maxPrompt = 160
    @Option(name: .long, help: "Seed of the cut positions.") var seed: UInt64 = 1

    func run() throws {
        let text = try InputItem(name: file, byteCount: nil).read()
        let lines = text.split(separator: 0x0A).filter { $0.count >= 48 + continuation }
        guard !lines.isEmpty else { throw CLIError("\(file): no line has \(48 + continuation) bytes. Fix: a longer text or a shorter --continuation") }
        let members = try options.members()
        var rng = SplitMix64(seed: seed)
        let methods = PromptConditioning.allCases
        var sums = [String: [Double]](), midTokenCuts = 0, wins = [String: Int]()
        let start = Date()
        var calls = 0
        let out = OutputBuffer()
        for _ in 0..<cuts {
            let line = Array(lines[Int(rng.next() % UInt64(lines.count))])
            var p = 32 + Int(rng.next() % UInt64(line.count - continuation - 32 + 1))
            while p < line.count - continuation && line[p] & 0xC0 == 0x80 { p += 1 }   // a character boundary
            var from = max(0, p - maxPrompt)
            while from < p && line[from] & 0xC0 == 0x80 { from += 1 }
            let prompt = Array(line[from..<p]), cont = Array(line[p..<(p + continuation)])
            // Does the cut fall inside a token of the whole text's encoding (first member's tokenizer)?
            let tok = members[0].tokenizer
            var at = 0, boundary = prompt.isEmpty
            for t in tok.encode(prompt + cont) { if at == prompt.count { boundary = true }; at += tok.table.length(t) }
            if !boundary { midTokenCuts += 1 }
            var ll: [String: Double] = [:]
            for m in methods {
                let r: ByteScore
                do {
                    let s = try options.source(members, prompt: prompt, conditioning: m)
                    r = try ByteSampler.score(cont, source: s)
                    calls += s.statistics.calls
                } catch let e as ByteLevelError {
                    throw CLIError("\(m.rawValue) conditioning on \(String(decoding: prompt, as: UTF8.self).debugDescription) "
                                   + "+ \(String(decoding: cont, as: UTF8.self).debugDescription): \(e)")
                }
                ll[m.rawValue] = r.logLikelihood
                sums[m.rawValue + (boundary ? "/boundary" : "/mid"), default: []].append(r.logLikelihood)
                sums[m.rawValue, default: []].append(r.logLikelihood)
            }
            for m in ["naive", "healing"] where ll["exact"]! > ll[m]! { wins[m, default: 0] += 1 }
        }
        let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(max(xs.count, 1)) }
        var fields: [String] = ["\"cuts\": \(cuts)", "\"continuation_bytes\": \(continuation)", "\"mid_token_cuts\": \(midTokenCuts)",
                                "\"exact_beats_naive\": \(wins["naive"] ?? 0)", "\"exact_beats_healing\": \(wins["healing"] ?? 0)",
                                "\"model_calls\": \(calls)", String(format: "\"seconds\": %.1f", Date().timeIntervalSince(start))]
        for key in sums.keys.sorted() {
            fields.append(String(format: "\"%@\": {\"n\": %d, \"mean_log_likelihood\": %.4f, \"bits_per_byte\": %.4f}", key,
                                 sums[key]!.count, mean(sums[key]!), -mean(sums[key]!) / Double(continuation) / log(2)))
        }
        out.write("{" + fields.joined(separator: ", ") + "}\n")
    }
}
