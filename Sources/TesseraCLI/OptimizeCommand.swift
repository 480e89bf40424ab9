// `tessera premium optimize`: the per-language vocabulary-size procedure (TesseraAnalysis.VocabularySizeOptimizer)
// on a FLORES-style corpus: train on one split, measure on the other, report the premiums' spread before/after.

import ArgumentParser
import Foundation
import TesseraAnalysis
import TesseraFormats
import TesseraPreTokenizers

struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Choose a vocabulary size per language so corpus token counts match; report premiums before and after.",
        discussion: """
        For each language: BPE trained on --train-split at every --sizes value, corpus token count (CTC) measured \
        on --eval-split (lines joined by spaces), CTC = a + b·ln V fitted, the size reaching the median CTC at \
        --reference-size chosen, retrained and measured. Superword BPE at the reference size is reported too \
        unless --no-superword.
        """)

    @Argument(help: "A FLORES folder (dev/ and devtest/).")
    var corpus: String

    @Option(name: .long, parsing: .upToNextOption, help: "Language codes (at least two; include the reference).")
    var languages: [String]

    @Option(name: .long, help: "Vocabulary sizes of the grid, comma-separated.")
    var sizes: String = "500,1000,2000,4000"

    @Option(name: .long, help: "The common size whose median CTC is the target (default: the largest grid size).")
    var referenceSize: Int?

    @Option(name: .long, help: "Reference language for premiums.")
    var reference: String = "eng_Latn"

    @Option(name: .long, help: "Split to train on.")
    var trainSplit: String = "dev"

    @Option(name: .long, help: "Split to measure on.")
    var evalSplit: String = "devtest"

    @Option(name: .long, help: "Pre-tokenizer pattern: o200k (default: its letter classes include combining marks, which GPT-2's split off), gpt2, cl100k, llama3, qwen2.")
    var pattern: String = "o200k"

    @Flag(name: .long, help: "Skip the superword comparison.")
    var noSuperword = false

    @Option(name: [.customShort("o"), .long], help: "Report folder (optimize.md, optimize.json).")
    var output: String = "optimize-report"

    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        let grid = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard grid.count >= 2, grid.allSatisfy({ $0 > 256 }) else {
            throw CLIError("--sizes needs at least two sizes above 256 (got \(sizes))")
        }
        guard let builtin = BuiltinPattern(rawValue: pattern) else { throw CLIError("--pattern must be gpt2, cl100k, o200k, llama3 or qwen2") }
        let clock = ContinuousClock()
        let start = clock.now
        let report: VocabularySizeReport
        do {
            let parallel = try ParallelCorpus.read(folder: corpus, splits: [trainSplit, evalSplit], only: Set(languages))
            let missing = Set(languages).subtracting(parallel.languages.map(\.code))
            if !missing.isEmpty { throw CLIError("not in \(corpus): " + missing.sorted().joined(separator: ", ")) }
            let inputs = parallel.languages.map { l -> (code: String, train: [UInt8], evaluate: [UInt8]) in
                let train = Array(l.splits[0].map { Array($0) }.joined(separator: [0x0A]))
                return (l.code, train, l.onlySplit(1).texts(.joined)[0])
            }
            let settings = VocabularySizeSettings(grid: grid, referenceSize: referenceSize,
                                                  superwordTransition: noSuperword ? nil : 0.8, pattern: builtin,
                                                  threads: threadOptions.count)
            report = try VocabularySizeOptimizer.run(languages: inputs, reference: reference, settings: settings)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        let seconds = Double((clock.now - start).components.seconds) + Double((clock.now - start).components.attoseconds) / 1e18
        let command = (["tessera"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let markdown = VocabularySizeReportText.markdown(report, command: command, seconds: seconds)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            try AtomicFile.write(Array(markdown.utf8), to: (output as NSString).appendingPathComponent("optimize.md"))
            try AtomicFile.write(Array(VocabularySizeReportText.json(report).utf8), to: (output as NSString).appendingPathComponent("optimize.json"))
        } catch { throw CLIError("cannot write the report to \(output): \(error)") }
        let out = OutputBuffer()
        out.write(markdown)
        out.flush()
    }
}
