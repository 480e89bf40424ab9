// `tessera count`: tokens per file and in total — a token-aware `wc`.

import ArgumentParser
import Foundation
import TesseraTokenizer

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count tokens per file and in total (files, directories recursively, or stdin).")

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @OptionGroup var specialOptions: SpecialOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Print CSV.")
    var csv = false

    @Argument(help: "Files or directories; none or '-' reads stdin.")
    var paths: [String] = []

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv are exclusive; pick one") }
    }

    struct Row { let name: String; let bytes: Int; let tokens: Int }

    func run() throws {
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

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
