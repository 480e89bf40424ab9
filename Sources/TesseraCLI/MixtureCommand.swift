// `tessera mixture`: data-mixture inference — which share of a tokenizer's training bytes came from each
// category, from its merge list and a sample text per category (Hayase et al. 2024). Wires
// TokenizerLoader → ByteMergeList → MixtureSamples (count + replay, parallel) → MixtureInference with
// HiGHS → MixtureReport.

import ArgumentParser
import Foundation
import TesseraFormats
import TesseraMixture
import TesseraTokenizer

struct MixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixture",
        abstract: "Infer the training-data mixture of a BPE tokenizer from its merge list (LP solved with HiGHS).",
        discussion: """
        Give one --category NAME=PATH per category (several files or folders: NAME=PATH,PATH,…; folders are read recursively); each sample is \
        pre-tokenized exactly as the tokenizer does and the first --merges merges are replayed on it. The LP \
        finds the category weights under which every merge was the most frequent pair (with slacks), adding \
        constraints lazily. Needs the HiGHS library: `make deps` installs it; TESSERA_HIGHS_LIBRARY overrides \
        the path. The table lists the inferred shares of training bytes, largest first.
        """)

    @Option(name: [.customShort("t"), .long], help: "Tokenizer name or file (a byte-level BPE: r50k_base, cl100k_base, o200k_base, a tokenizer.json, …).")
    var tokenizer: String

    @Option(name: .customLong("category"), help: "A category as NAME=PATH[,PATH…] (files or folders; repeat for each category).")
    var categories: [String] = []

    @Option(name: .long, help: "Replay only the first N merges (default: all).")
    var merges: Int?

    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: MixtureFormat = .table

    @Option(name: [.customShort("o"), .long], help: "Write the output to this file (atomically) instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Also write a bar chart of the shares (SVG).")
    var chart: String?

    @Option(name: .long, help: "Chart title.")
    var title: String?

    @Option(name: .long, help: "New LP rows per merge step and round, at most (the paper's code: 10).")
    var rowsPerStep: Int = 1

    @Option(name: .long, help: "New LP rows per round, at most (the scan stops there; default: scan every merge each round; the paper's code uses 100).")
    var rowsPerRound: Int?

    @Flag(name: .long, help: "Recover the merges from the ids read as ranks instead of using the tokenizer's merge list (for tiktoken-derived vocabularies such as Llama 3 and Qwen2).")
    var mergesFromRanks = false

    @Option(name: .long, help: "Constrain only merges from this index on (0-based; earlier ones are replayed). E.g. 100000 for Llama 3's merges added to cl100k.")
    var fromMerge: Int = 0

    @Option(name: .long, help: "Stop after this many LP rounds (the result is then marked NOT converged).")
    var maxRounds: Int?

    @Option(name: .long, help: "Delete a constraint row after it has been inactive for this many solves in a row (0: keep all rows, as the paper's code does; primal LP only).")
    var dropAfter: Int = 1

    @Option(name: .long, help: "The same for a row that has been tight at some solve (default: --drop-after).")
    var dropAfterTight: Int?

    @Option(name: .long, help: "LP given to the solver: primal (default) or dual (same optimum).")
    var formulation: LPFormulation = .primal

    @OptionGroup var threadOptions: ThreadOptions

    enum MixtureFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    func validate() throws {
        if categories.count < 2 { throw ValidationError("give at least two --category NAME=PATH") }
        if let merges, merges < 1 { throw ValidationError("--merges must be at least 1 (got \(merges))") }
        if fromMerge < 0 { throw ValidationError("--from-merge must be at least 0 (got \(fromMerge))") }
        if let maxRounds, maxRounds < 0 { throw ValidationError("--max-rounds must be at least 0 (got \(maxRounds))") }
        if dropAfter < 0 { throw ValidationError("--drop-after must be at least 0 (got \(dropAfter))") }
        if let dropAfterTight, dropAfterTight < 0 { throw ValidationError("--drop-after-tight must be at least 0 (got \(dropAfterTight))") }
        if rowsPerStep < 1 || (rowsPerRound ?? 1) < 1 { throw ValidationError("--rows-per-step and --rows-per-round must be at least 1") }
    }

    func parsedCategories() throws -> [MixtureCategory] {
        try categories.map { spec in
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex, spec.index(after: eq) != spec.endIndex else {
                throw CLIError("--category \(spec): expected NAME=PATH[,PATH…]. Fix: e.g. --category english=corpus/en.txt")
            }
            let paths = spec[spec.index(after: eq)...].split(separator: ",").map(String.init)
            for f in paths where !FileManager.default.fileExists(atPath: f) {
                throw CLIError("--category \(spec): \(f): no such file or folder. Fix: give existing text files or folders for category \(spec[..<eq]).")
            }
            // Folders are walked like `count` and `encode` walk them (recursively, sorted, regular files).
            let files = try Inputs.expand(paths).map(\.name)
            guard !files.isEmpty else {
                throw CLIError("--category \(spec): the folders hold no files. Fix: give text files for category \(spec[..<eq]).")
            }
            return MixtureCategory(name: String(spec[..<eq]), files: files)
        }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let cats = try parsedCategories()
        let library: HiGHSLibrary
        do { library = try HiGHSLibrary.load() } catch { throw CLIError("\(error)") }
        let loaded: Tokenizer
        do { loaded = try TokenizerLoader.load(nameOrPath: tokenizer) } catch {
            throw CLIError("cannot load tokenizer '\(tokenizer)': \(error)")
        }
        let progress = MixtureProgressLine()
        let result: MixtureResult
        let list: ByteMergeList
        do {
            let full = try ByteMergeList(tokenizer: loaded, fromRanks: mergesFromRanks, threads: threadOptions.count)
            if full.redundantDropped > 0 || full.unreachableSkipped > 0 {
                FileHandle.standardError.write(Data(("note: \(full.redundantDropped) redundant merges dropped, "
                    + "\(full.unreachableSkipped) tokens unreachable from lower ranks skipped\n").utf8))
            }
            list = full.prefix(merges)
            progress.note("replaying \(list.count) merges on \(cats.count) categories")
            let samples = try MixtureSamples.replay(cats, tokenizer: loaded, merges: list, threads: threadOptions.count) { done, total in
                progress.note("replayed \(done) / \(total) categories")
            }
            var parameters = MixtureParameters()
            parameters.rowsPerStep = rowsPerStep
            parameters.rowsPerRound = rowsPerRound ?? Int.max
            parameters.formulation = formulation
            parameters.dropAfter = dropAfter
            parameters.dropAfterTight = dropAfterTight
            if let maxRounds { parameters.maxRounds = maxRounds }
            parameters.firstConstrainedMerge = fromMerge
            result = try MixtureInference.infer(samples: samples, merges: list, solver: HiGHSSolver(library: library),
                                                solverName: "HiGHS \(library.version)", parameters: parameters) { p in
                progress.note("LP round \(p.round): \(p.rows) rows × \(p.columns) columns, objective \(String(format: "%.3g", p.objective)), "
                              + "\(p.addedRows) rows added, |Δα| \(String(format: "%.2g", p.alphaChange)), scan stopped at merge \(p.scannedSteps)")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        progress.finish()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let text: String
        switch format {
        case .table: text = MixtureReport.table(result) + String(format: "total %.2f s\n", seconds)
        case .json: text = MixtureReport.json(result)
        case .csv: text = MixtureReport.csv(result)
        }
        if format != .table {
            FileHandle.standardError.write(Data((MixtureReport.summary(result) + String(format: "total %.2f s\n", seconds)).utf8))
        }
        do {
            if let chart {
                try MixtureReport.write(MixtureReport.svg(result, title: title ?? "Inferred training mixture of \(loaded.name)"), to: chart)
            }
            if let output { try MixtureReport.write(text, to: output) } else {
                let out = OutputBuffer()
                out.write(text)
                out.flush()
            }
        } catch {
            throw CLIError("cannot write the output: \(error)")
        }
    }
}

extension LPFormulation: ExpressibleByArgument {}

/// Progress lines on stderr (terminal only, after the first second): replay and LP rounds.
final class MixtureProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date()
    private var shown = false
    private let enabled = isatty(2) == 1 || ProcessInfo.processInfo.environment["TESSERA_PROGRESS"] == "1"

    func note(_ line: String) {
        guard enabled, Date().timeIntervalSince(start) > 1 else { return }
        lock.lock()
        defer { lock.unlock() }
        shown = true
        FileHandle.standardError.write(Data("\r\u{1B}[K\(String(format: "%.1f s", Date().timeIntervalSince(start)))  \(line)".utf8))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
