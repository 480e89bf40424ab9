// `tessera encode`: text → token ids (or pieces, JSON, counts).

import ArgumentParser
import Foundation
import TesseraBPE
import TesseraTokenizer

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode files, directories (recursively) or stdin into token ids.",
        discussion: """
        Output formats: ids (one line of space-separated ids per input), pieces (one token per line: \
        id, quoted bytes, and with --offsets the byte range), json (one object per input: file, ids, \
        offsets with --offsets), count (tokens per input).
        """)

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @OptionGroup var specialOptions: SpecialOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var stochastic: StochasticOptions

    @Option(name: .shortAndLong, help: "Output format: ids, pieces, json, count.")
    var output: EncodeOutput = .ids

    @Flag(name: .long, help: "Include each token's UTF-8 byte range (pieces and json output).")
    var offsets = false

    @Flag(name: .long, help: "Encode every line separately (without its newline); one output record per line.")
    var lines = false

    @Flag(name: .long, help: ArgumentHelp(
        "Run the tokenizer's post-processor (e.g. add BOS/EOS), like Hugging Face's add_special_tokens=True.",
        discussion: "Only tokenizers with a post-processor (tokenizer.json post_processor) add anything."))
    var addSpecialTokens = false

    @Argument(help: "Files or directories; none or '-' reads stdin.")
    var paths: [String] = []

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let items = try Inputs.expand(paths)
        let out = OutputBuffer()
        let progress = Progress(totalBytes: items.reduce(0) { $0 + ($1.byteCount ?? 0) })
        defer { progress.finish(); out.flush() }
        let policy = specialOptions.policy
        let threads = threadOptions.count
        if let plan = try stochastic.plan(for: tokenizer) {
            try runStochastic(plan, tokenizer: tokenizer, items: items, out: out, progress: progress)
            return
        }

        for item in items {
            let bytes = try item.read()
            let records: [[UInt8]] = lines ? Self.splitLines(bytes) : [bytes]
            if offsets || output == .pieces {
                for (index, record) in records.enumerated() {
                    let encoding = try encodeOrExplain {
                        try tokenizer.encodeWithOffsets(record, specials: policy, addSpecialTokens: addSpecialTokens)
                    }
                    write(encoding.ids, offsets: offsets ? encoding.offsets : nil, item: item, line: lines ? index + 1 : nil,
                          tokenizer: tokenizer, to: out)
                }
                progress.advance(bytes: bytes.count)
            } else if records.count == 1 {
                let ids = try encodeOrExplain {
                    try tokenizer.encodeParallel(bytes, specials: policy, addSpecialTokens: addSpecialTokens, threads: threads,
                                                 progress: { progress.advance(bytes: $0) })
                }
                write(ids, offsets: nil, item: item, line: nil, tokenizer: tokenizer, to: out)
            } else {
                let all = try encodeOrExplain {
                    try tokenizer.encodeBatch(records, specials: policy, addSpecialTokens: addSpecialTokens, threads: threads)
                }
                for (index, ids) in all.enumerated() {
                    write(ids, offsets: nil, item: item, line: index + 1, tokenizer: tokenizer, to: out)
                }
                progress.advance(bytes: bytes.count)
            }
        }
    }

    /// Lines without their terminating "\n" (a final line without newline counts; a trailing newline adds none).
    static func splitLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var result = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if bytes.last == 0x0A { result.removeLast() }
        return result
    }

    func write(_ ids: [TokenID], offsets: [Range<Int>]?, item: InputItem, line: Int?, tokenizer: Tokenizer,
                       to out: OutputBuffer) {
        switch output {
        case .ids:
            for (i, id) in ids.enumerated() {
                if i > 0 { out.write(" ") }
                out.write(number: UInt64(id))
            }
            out.write("\n")
        case .count:
            out.write(number: UInt64(ids.count))
            out.write("\t" + item.name + (line.map { ":\($0)" } ?? "") + "\n")
        case .json:
            out.write("{\"file\":" + JSONText.quote(item.name))
            if let line { out.write(",\"line\":\(line)") }
            out.write(",\"ids\":[")
            for (i, id) in ids.enumerated() {
                if i > 0 { out.write(",") }
                out.write(number: UInt64(id))
            }
            out.write("]")
            if let offsets {
                out.write(",\"offsets\":[")
                for (i, r) in offsets.enumerated() { out.write((i > 0 ? "," : "") + "[\(r.lowerBound),\(r.upperBound)]") }
                out.write("]")
            }
            out.write("}\n")
        case .pieces:
            out.write("# " + item.name + (line.map { ":\($0)" } ?? "") + "\n")
            for (i, id) in ids.enumerated() {
                out.write(number: UInt64(id))
                out.write("\t" + JSONText.quote(bytes: tokenizer.tokenBytes(id) ?? []))
                if let offsets { out.write("\t\(offsets[i].lowerBound)..<\(offsets[i].upperBound)") }
                out.write("\n")
            }
        }
    }
}

enum EncodeOutput: String, ExpressibleByArgument, CaseIterable {
    case ids, pieces, json, count
}

/// Re-throws library errors as user-facing CLI errors (their messages already name the fix).
func encodeOrExplain<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as TokenizerError { throw CLIError(error.description) }
}
