// `tessera train`: byte-level BPE from a corpus or from `.counts` shards, optionally superword
// (SuperBPE) or continuing an existing tokenizer; written atomically in any writable format.

import ArgumentParser
import Foundation
import TesseraFormats
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraTraining

/// Pre-tokenization options shared by `train` and `count -o`.
struct PretokenizeOptions: ParsableArguments {
    static let defaultPattern = "gpt2"

    @Option(name: .long, help: "Pre-tokenizer: gpt2 (default), cl100k, o200k, llama3, qwen2, superword, or a regular expression (ICU).")
    var pattern: String = PretokenizeOptions.defaultPattern

    @Option(name: .long, help: "Cut longer pre-tokens into pieces of at most this many bytes.")
    var maxPretokenBytes: Int = 1 << 16

    @Option(name: .long, help: "Count only a uniform sample of this many lines (seeded).")
    var sampleLines: Int?

    @Option(name: .long, help: "Seed of --sample-lines.")
    var seed: UInt64 = 0

    func validate() throws {
        if maxPretokenBytes < 1 { throw ValidationError("--max-pretoken-bytes must be at least 1") }
        if let sampleLines, sampleLines < 1 { throw ValidationError("--sample-lines must be at least 1") }
    }

    /// The pre-tokenizer, its name for count files, and its regex text (for writers).
    func preTokenizer() throws -> (any PreTokenizer, name: String, regex: String) {
        try Self.preTokenizer(named: pattern)
    }

    /// The pre-tokenizer for a `--pattern` value or a count file's recorded name (`regex:` + pattern).
    static func preTokenizer(named given: String) throws -> (any PreTokenizer, name: String, regex: String) {
        let pattern = given.hasPrefix("regex:") ? String(given.dropFirst(6)) : given
        let aliases: [String: BuiltinPattern] = ["r50k": .gpt2, "r50k_base": .gpt2, "cl100k_base": .cl100k, "o200k_base": .o200k]
        if let builtin = BuiltinPattern(rawValue: pattern) ?? aliases[pattern] {
            return (PatternScanner(builtin), builtin.rawValue, builtin.regexSource)
        }
        if pattern == "superword" {
            return (SuperwordPreTokenizer(), "superword", SuperwordPreTokenizer.regexSource)
        }
        do {
            if let builtin = BuiltinPattern.matching(regex: pattern) {
                return (PatternScanner(builtin), builtin.rawValue, builtin.regexSource)
            }
            if pattern == SuperwordPreTokenizer.regexSource { return (SuperwordPreTokenizer(), "superword", pattern) }
            return (try RegexPreTokenizer(pattern: pattern), "regex:" + pattern, pattern)
        } catch {
            throw CLIError("--pattern \(pattern.debugDescription) is neither a built-in name (gpt2, cl100k, o200k, llama3, qwen2) "
                           + "nor a valid regular expression: \(error)")
        }
    }

    func counter(threads: Int, pre: (any PreTokenizer, name: String, regex: String)) throws -> PretokenCounter {
        do {
            return try PretokenCounter(preTokenizer: pre.0, preTokenizerName: pre.name, maxPretokenBytes: maxPretokenBytes,
                                       threads: threads)
        } catch { throw CLIError("\(error)") }
    }

    /// Counts `paths` (files, folders recursively, '-' for stdin), showing progress on a terminal.
    func count(_ paths: [String], counter: PretokenCounter, progress: TrainingProgress) throws -> PretokenCounts {
        let items = try Inputs.expand(paths)
        let total = items.reduce(0) { $0 + ($1.byteCount ?? 0) }
        do {
            return try counter.count(files: items.map(\.name), sampleLines: sampleLines, seed: seed) { p in
                progress.counting(bytes: p.bytesRead, total: total, distinct: p.distinctUpperBound)
            }
        } catch { throw CLIError("\(error)") }
    }
}

enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
    case auto, bar, json, none
}

/// Progress of counting and merging on stderr: a redrawn line on a terminal (`bar`, the `auto` default
/// there), one JSON object per line (`json`), or nothing.
final class TrainingProgress: @unchecked Sendable {
    let mode: ProgressMode
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(_ requested: ProgressMode) {
        mode = requested == .auto ? (isatty(2) == 1 ? .bar : .none) : requested
    }

    func emit(_ line: String, force: Bool = false) {
        let now = Date()
        switch mode {
        case .bar:
            guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            drawn = true
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        case .json:
            guard force || now.timeIntervalSince(lastDraw) > 0.5 else { return }
            lastDraw = now
            FileHandle.standardError.write(Data((line + "\n").utf8))
        case .auto, .none:
            return
        }
    }

    private var elapsed: Double { Date().timeIntervalSince(start) }

    func counting(bytes: UInt64, total: Int, distinct: Int) {
        if mode == .json {
            emit("{\"phase\":\"count\",\"bytes\":\(bytes),\"total_bytes\":\(total),\"distinct\":\(distinct),"
                 + "\"seconds\":\(String(format: "%.2f", elapsed))}")
        } else {
            let share = total > 0 ? String(format: " (%.0f%%)", 100 * Double(bytes) / Double(total)) : ""
            emit(String(format: "counting: %.1f MB%@, %d distinct pre-tokens", Double(bytes) / 1e6, share, distinct))
        }
    }

    /// The report before the merge loop: words and the estimated memory.
    func beforeMerging(words: Int, pretokens: UInt64, memoryBytes: Int, merges: Int) {
        if mode == .json {
            emit("{\"phase\":\"merge-start\",\"distinct_pretokens\":\(words),\"pretokens\":\(pretokens),"
                 + "\"estimated_memory_bytes\":\(memoryBytes),\"merges_planned\":\(merges)}", force: true)
        } else {
            emit(String(format: "%d distinct pre-tokens (%llu in all); merging %d pairs, about %.0f MB",
                        words, pretokens, merges, Double(memoryBytes) / 1e6), force: true)
            if mode == .bar { FileHandle.standardError.write(Data("\n".utf8)) }
        }
    }

    func merging(_ p: MergeProgress) {
        if mode == .json {
            emit("{\"phase\":\"merge\",\"merges\":\(p.mergesDone),\"planned\":\(p.mergesPlanned),\"pair_count\":\(p.lastPairCount),"
                 + "\"memory_bytes\":\(p.memoryBytes),\"seconds\":\(String(format: "%.2f", elapsed))}")
        } else {
            emit(String(format: "merging: %d / %d (%.0f%%), last pair seen %llu times", p.mergesDone, p.mergesPlanned,
                        100 * Double(p.mergesDone) / Double(max(1, p.mergesPlanned)), p.lastPairCount))
        }
    }

    func finish() {
        if mode == .bar && drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpe",
        abstract: "Train a byte-level BPE tokenizer (plain, superword, or continuing an existing one).",
        discussion: """
        Inputs are files, folders (recursively) or '-' for stdin, plain or gzip; or --from-counts with \
        .counts shards from `tessera count -o` (same result as training on all their text). Ties between \
        equally frequent pairs go to the smallest (left id, right id), so the result is identical for any \
        thread count and shard order. --vocab-size counts every id: 256 bytes (or the continued tokenizer's \
        ids), the merges and the special tokens.
        """)

    @Argument(help: "Corpus files or folders ('-' for stdin).")
    var paths: [String] = []

    @Option(name: .long, help: "Total number of ids (bytes + merges + special tokens).")
    var vocabSize: Int

    @Option(name: [.customShort("o"), .long], help: "Output path (a file, or a folder for --format gpt2).")
    var output: String

    @Option(name: .long, help: "Output format: tiktoken (default), gpt2, minbpe, tekken.")
    var format: String = "tiktoken"

    @Option(name: .long, parsing: .upToNextOption, help: "Pre-token count shards to train from instead of a corpus.")
    var fromCounts: [String] = []

    @Option(name: .customLong("continue"), help: "Append merges to this tokenizer, keeping its ids and merges.")
    var continueFrom: String?

    @Option(name: .long, help: "Superword BPE: the vocabulary size (ids) after which merges may cross spaces.")
    var superwordTransition: Int?

    @Option(name: .long, help: "Superword BPE: the most words one token may hold.")
    var maxWordsPerToken: Int = 4

    @Option(name: .long, parsing: .upToNextOption, help: "Special tokens, given the last ids.")
    var specialTokens: [String] = []

    @Option(name: .long, help: "Never create a token longer than this many bytes.")
    var maxTokenBytes: Int?

    @Option(name: .long, help: "Merge a pair only if it occurs at least this often (Hugging Face's min_frequency).")
    var minFrequency: UInt64 = 0

    @Option(name: .long, help: "Progress on stderr: auto (a bar on a terminal), bar, json, none.")
    var progress: ProgressMode = .auto

    @OptionGroup var pretokenize: PretokenizeOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if paths.isEmpty && fromCounts.isEmpty { throw ValidationError("give corpus files or --from-counts shards") }
        if !paths.isEmpty && !fromCounts.isEmpty { throw ValidationError("give either corpus files or --from-counts, not both") }
        if superwordTransition != nil && !fromCounts.isEmpty {
            throw ValidationError("superword training re-reads the corpus with a second pre-tokenizer; give corpus files, not --from-counts")
        }
        if superwordTransition != nil && continueFrom != nil {
            throw ValidationError("--superword-transition and --continue cannot be combined")
        }
        if let maxTokenBytes, maxTokenBytes < 1 { throw ValidationError("--max-token-bytes must be at least 1") }
    }

    func run() throws {
        guard let writer = TokenizerWriters.writer(named: format) else {
            throw CLIError("--format \(format) is not a writable format; choose one of " + TokenizerWriters.names.joined(separator: ", "))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let report = TrainingProgress(progress)
        defer { report.finish() }
        var pre = try pretokenize.preTokenizer()
        let counter = try pretokenize.counter(threads: threadOptions.count, pre: pre)
        var shardPre: (any PreTokenizer, name: String, regex: String)?
        let counts: PretokenCounts
        if fromCounts.isEmpty {
            counts = try pretokenize.count(paths, counter: counter, progress: report)
        } else {
            do {
                counts = try PretokenCounts.merged(fromCounts.map { try PretokenCounts.read(path: $0) })
            } catch { throw CLIError("\(error)") }
            // The shards name their pre-tokenizer; an explicit different --pattern is a mistake.
            let recorded = try PretokenizeOptions.preTokenizer(named: counts.source.preTokenizer)
            if recorded.name != pre.name && pretokenize.pattern != PretokenizeOptions.defaultPattern {
                throw CLIError("the shards were counted with \(counts.source.preTokenizer), not \(pre.name); drop --pattern")
            }
            shardPre = recorded
        }
        if let shardPre { pre = shardPre }
        guard counts.count > 0 else { throw CLIError("the corpus has no text to train on") }
        let parameters = BPETrainingParameters(vocabularySize: vocabSize, minimumPairCount: minFrequency,
                                               maxTokenBytes: maxTokenBytes, specialTokens: specialTokens)
        let trained: TrainedBPE
        var preTokenizer: any PreTokenizer = pre.0
        var patternText = pre.regex
        var baseTokenizer: Tokenizer?
        do {
            if let transition = superwordTransition {
                var stage2Counter = try PretokenCounter(preTokenizer: SuperwordPreTokenizer(), preTokenizerName: "superword",
                                                        maxPretokenBytes: pretokenize.maxPretokenBytes, threads: threadOptions.count)
                stage2Counter.blockBytes = counter.blockBytes
                let stage2 = try pretokenize.count(paths, counter: stage2Counter, progress: report)
                report.beforeMerging(words: stage2.count, pretokens: stage2.total, memoryBytes: stage2.keyBytes.count * 12,
                                     merges: vocabSize - specialTokens.count - 256)
                trained = try BPETrainer.trainSuperword(stage1: counts, stage2: stage2, transitionSize: transition,
                                                        maxWordsPerToken: maxWordsPerToken, parameters: parameters,
                                                        progress: report.merging)
                preTokenizer = SuperwordPreTokenizer()
                patternText = SuperwordPreTokenizer.regexSource
            } else if let continueFrom {
                let base = try TokenizerLoader.load(nameOrPath: continueFrom)
                baseTokenizer = base
                preTokenizer = base.preTokenizer
                patternText = base.patternDescription ?? patternText
                report.beforeMerging(words: counts.count, pretokens: counts.total, memoryBytes: counts.keyBytes.count * 12,
                                     merges: vocabSize - base.idUpperBound)
                trained = try BPETrainer.continueTraining(base, counts: counts, parameters: parameters, progress: report.merging)
            } else {
                report.beforeMerging(words: counts.count, pretokens: counts.total, memoryBytes: counts.keyBytes.count * 12,
                                     merges: vocabSize - specialTokens.count - 256)
                trained = try BPETrainer.train(counts, parameters: parameters, progress: report.merging)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        report.finish()
        let name = ((output as NSString).lastPathComponent as NSString).deletingPathExtension
        var tokenizer = try trained.tokenizer(name: name.isEmpty ? "trained" : name, preTokenizer: preTokenizer,
                                              normalizer: baseTokenizer?.normalizer, patternDescription: patternText)
        tokenizer.decoder = baseTokenizer?.decoder
        let written: ConversionReport
        do {
            written = try writer.write(tokenizer, to: output, options: WriteOptions(threads: threadOptions.count))
        } catch { throw CLIError("cannot write \(output): \(error)") }
        let out = OutputBuffer()
        out.write("trained \(trained.tokens.filter { !$0.isEmpty }.count) tokens (\(trained.merges.count + (trained.transitionMerges ?? 0)) new merges")
        if let t = trained.transitionMerges { out.write(", \(t) of them before the superword transition") }
        out.write(", \(trained.specialTokens.count) special) from \(counts.count) distinct pre-tokens, ")
        out.write(String(format: "%.2f s\n", Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)))
        for file in written.files { out.write("  wrote \(file)\n") }
        for issue in written.issues { out.write("  \(issue)\n") }
        out.flush()
    }
}
