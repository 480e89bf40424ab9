// `tessera count`: tokens per file and in total — a token-aware `wc`. With `-o FILE.counts` it counts
// pre-tokens instead and writes a mergeable count table for `tessera train --from-counts`.

import ArgumentParser
import Foundation
import TesseraTokenizer

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count tokens per file and in total, or (with -o) write a pre-token count table for training.",
        discussion: """
        With -o FILE.counts, the inputs are pre-tokenized with --pattern and every distinct pre-token is \
        counted (64-bit) into a versioned file. Count shards of a corpus anywhere (one process per shard), \
        then `tessera train --from-counts *.counts` gives the same tokenizer as training on all of them.
        """)

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @OptionGroup var specialOptions: SpecialOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Print CSV.")
    var csv = false

    @Argument(help: "Files or directories; none or '-' reads stdin.")
    var paths: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Write a pre-token count table (.counts) here instead of counting tokens.")
    var output: String?

    @Option(name: .long, help: "With -o: progress on stderr: auto, bar, json, none.")
    var progress: ProgressMode = .auto

    @OptionGroup var pretokenize: PretokenizeOptions

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv are exclusive; pick one") }
        if output == nil && (pretokenize.sampleLines != nil || pretokenize.pattern != PretokenizeOptions.defaultPattern) {
            throw ValidationError("--pattern and --sample-lines apply to pre-token counting: add -o FILE.counts")
        }
    }

    struct Row { let name: String; let bytes: Int; let tokens: Int }

    func run() throws {
        if let output { return try countPretokens(into: output) }
        let tokenizer = try tokenizerOptions.load()
        let items = try Inputs.expand(paths)
        let progress = Progress(totalBytes: items.reduce(0) { $0 + ($1.byteCount ?? 0) })
        var rows: [Row] = []
        // Small files are counted in parallel batches; a large one is split across threads.
        var batch: [(String, [UInt8])] = []
        var batchBytes = 0
        func flushBatch() throws {
            guard !batch.isEmpty else { return }
            let counts: [Int]
            if batch.count == 1 {
                counts = [try encodeOrExplain {
                    try tokenizer.encodeParallel(batch[0].1, specials: specialOptions.policy, threads: threadOptions.count,
                                                 progress: { progress.advance(bytes: $0) }).count
                }]
            } else {
                counts = try encodeOrExplain {
                    try tokenizer.encodeBatch(batch.map(\.1), specials: specialOptions.policy, threads: threadOptions.count)
                        .map(\.count)
                }
            }
            for (i, entry) in batch.enumerated() {
                rows.append(Row(name: entry.0, bytes: entry.1.count, tokens: counts[i]))
                if batch.count > 1 { progress.advance(bytes: entry.1.count) }
            }
            batch.removeAll()
            batchBytes = 0
        }
        for item in items {
            let bytes = try item.read()
            batch.append((item.name, bytes))
            batchBytes += bytes.count
            if batch.count >= 256 || batchBytes >= 64 << 20 { try flushBatch() }
        }
        try flushBatch()
        progress.finish()

        let totalTokens = rows.reduce(0) { $0 + $1.tokens }
        let totalBytes = rows.reduce(0) { $0 + $1.bytes }
        let out = OutputBuffer()
        if json {
            out.write("{\"tokenizer\":" + JSONText.quote(tokenizer.name) + ",\"files\":[")
            for (i, r) in rows.enumerated() {
                out.write((i > 0 ? "," : "") + "{\"file\":" + JSONText.quote(r.name) + ",\"bytes\":\(r.bytes),\"tokens\":\(r.tokens)}")
            }
            out.write("],\"total\":{\"bytes\":\(totalBytes),\"tokens\":\(totalTokens)}}\n")
        } else if csv {
            out.write("file,bytes,tokens\n")
            for r in rows { out.write(Self.csvField(r.name) + ",\(r.bytes),\(r.tokens)\n") }
            if rows.count > 1 { out.write("total,\(totalBytes),\(totalTokens)\n") }
        } else {
            let width = max(String(totalTokens).count, 6)
            for r in rows { out.write(Self.pad(r.tokens, width) + "  " + r.name + "\n") }
            if rows.count > 1 { out.write(Self.pad(totalTokens, width) + "  total\n") }
        }
        out.flush()
    }

    /// `-o`: pre-token counts of the inputs, written atomically.
    func countPretokens(into output: String) throws {
        let pre = try pretokenize.preTokenizer()
        let counter = try pretokenize.counter(threads: threadOptions.count, pre: pre)
        let report = TrainingProgress(progress)
        let counts = try pretokenize.count(paths, counter: counter, progress: report)
        report.finish()
        do { try counts.write(to: output) } catch { throw CLIError("cannot write \(output): \(error)") }
        let out = OutputBuffer()
        if json {
            out.write("{\"file\":" + JSONText.quote(output) + ",\"pre_tokenizer\":" + JSONText.quote(pre.name)
                      + ",\"text_bytes\":\(counts.textBytes),\"pretokens\":\(counts.total),\"distinct\":\(counts.count)}\n")
        } else {
            out.write("\(counts.total) pre-tokens (\(counts.count) distinct) in \(counts.textBytes) bytes → \(output)\n")
        }
        out.flush()
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
