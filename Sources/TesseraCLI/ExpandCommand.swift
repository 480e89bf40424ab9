// `tessera expand`: a corpus → token-id shards for training, with StochasTok applied to every document
// (the paper's offline pre-processing step). Shard layout: docs/formats.md ("Token-id shards"),
// `TokenShard` in TesseraFormats.

import ArgumentParser
import Foundation
import TesseraFormats
import TesseraStochastic
import TesseraTokenizer

struct ExpandCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expand",
        abstract: "Tokenize a corpus into token-id shards with StochasTok applied (for training).",
        discussion: """
        Each file (or line, with --lines) is a document: it is encoded deterministically, then StochasTok \
        makes ⌊P·n⌋ split attempts on its n ids, seeded per document (the output does not depend on --threads). \
        Documents are written in input order, each preceded by the separator id (--separator; auto = \
        <|endoftext|> when the tokenizer has it), into DIR/shard-000000.tokens, … of at most --shard-tokens ids; a \
        document may continue in the next shard. Each shard records the bytes of text its ids stand for, so \
        `tessera lm train/eval` report bits per byte. --stochastok 0 writes the plain tokenization.
        """)

    @OptionGroup var tokenizerOptions: TokenizerOptions
    @OptionGroup var specialOptions: SpecialOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Argument(help: "Corpus files or folders ('-' for stdin).")
    var paths: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Output folder for the shards (created when missing).")
    var output: String

    @Option(name: .long, help: "StochasTok p: split attempts per token (the paper's default 0.1).")
    var stochastok: Double = 0.1

    @Option(name: .long, help: "Seed (document i uses a seed derived from it and i).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Stop after this many splits per document.")
    var maxExpansions: Int?

    @Flag(name: .long, help: "Every line is a document (default: every file).")
    var lines = false

    @Option(name: .long, help: "Ids per shard file.")
    var shardTokens: Int = 100_000_000

    @Option(name: .long, help: "Id written before each document: auto, none, a number, or a special token's text.")
    var separator: String = "auto"

    func validate() throws {
        if !(stochastok >= 0 && stochastok.isFinite) { throw ValidationError("--stochastok must be a number ≥ 0") }
        if shardTokens < 1 { throw ValidationError("--shard-tokens must be at least 1") }
        if let m = maxExpansions, m < 0 { throw ValidationError("--max-expansions must be ≥ 0") }
    }

    func separatorID(_ tokenizer: Tokenizer) throws -> UInt32 {
        switch separator {
        case "none": return TokenShard.noSeparator
        case "auto": return tokenizer.specialTokens.id(of: "<|endoftext|>") ?? TokenShard.noSeparator
        default:
            if let id = UInt32(separator), Int(id) < tokenizer.idUpperBound, tokenizer.tokenBytes(id) != nil { return id }
            if let id = tokenizer.specialTokens.id(of: separator) { return id }
            if let id = tokenizer.vocabulary.id(of: Array(separator.utf8)) { return id }
            throw CLIError("--separator \(separator.debugDescription) is neither none, auto, a token id nor a token of this tokenizer")
        }
    }

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let clock = ContinuousClock()
        let start = clock.now
        let expander: StochasTokExpander
        do {
            expander = try StochasTokExpander(table: SplitTable(tokenizer: tokenizer), probability: stochastok, maxExpansions: maxExpansions)
        } catch { throw CLIError("\(error)") }
        let tableTime = clock.now - start
        let sep = try separatorID(tokenizer)
        let vocabularySize = UInt32(tokenizer.idUpperBound)
        do { try AtomicFile.makeFolder(output) } catch { throw CLIError("\(error)") }

        // Bytes per id, for each shard's text byte count (StochasTok keeps the bytes, so they are the document's).
        let byteLengths = (0..<tokenizer.idUpperBound).map { UInt64(tokenizer.tokenBytes(UInt32($0))?.count ?? 0) }
        var shard: [UInt32] = []
        var shardDocuments: UInt64 = 0
        var shardIndex = 0
        var written: [String] = []
        func flush(_ ids: ArraySlice<UInt32>, documents: UInt64) throws {
            let path = (output as NSString).appendingPathComponent(String(format: "shard-%06d.", shardIndex) + TokenShard.fileExtension)
            var bytes: UInt64 = 0
            for id in ids where id != sep { bytes += byteLengths[Int(id)] }
            let file = TokenShard(vocabularySize: vocabularySize, separator: sep, documents: documents, seed: seed,
                                  probability: stochastok, byteCount: bytes, ids: Array(ids))
            do { try file.write(to: path) } catch { throw CLIError("\(error)") }
            written.append(path)
            shardIndex += 1
        }

        var documents = 0, before = 0, after = 0, attempts = 0, successes = 0
        var expandSeconds = 0.0
        let items = try Inputs.expand(paths)
        let threads = threadOptions.count
        for item in items {
            let bytes = try item.read()
            let texts = lines ? EncodeCommand.splitLines(bytes) : [bytes]
            let encoded = try encodeOrExplain {
                texts.count == 1
                    ? [try tokenizer.encodeParallel(texts[0], specials: specialOptions.policy, threads: threads)]
                    : try tokenizer.encodeBatch(texts, specials: specialOptions.policy, threads: threads)
            }
            for ids in encoded {
                let t0 = clock.now
                let r = expander.expand(ids, seed: StochasticSeed.document(seed, index: documents))
                let dt = clock.now - t0
                expandSeconds += Double(dt.components.seconds) + Double(dt.components.attoseconds) / 1e18
                documents += 1
                before += ids.count
                after += r.ids.count
                attempts += r.attempts
                successes += r.successes
                if sep != TokenShard.noSeparator { shard.append(sep) }
                shardDocuments += 1
                shard.append(contentsOf: r.ids)
                while shard.count >= shardTokens {
                    try flush(shard[0..<shardTokens], documents: shardDocuments)
                    shard.removeFirst(shardTokens)
                    shardDocuments = 0
                }
            }
        }
        if !shard.isEmpty || written.isEmpty { try flush(shard[...], documents: shardDocuments) }
        let total = clock.now - start
        let out = OutputBuffer()
        let growth = before == 0 ? 0 : 100 * Double(after - before) / Double(before)
        out.write("\(documents) documents: \(before) ids → \(after) (+" + String(format: "%.2f", growth)
                  + "%), \(successes) of \(attempts) split attempts succeeded (p = \(stochastok), seed \(seed))\n")
        out.write(String(format: "split table %.3f s; expansion %.3f s (%.1f M ids/s); total %.2f s\n",
                         Double(tableTime.components.attoseconds) / 1e18 + Double(tableTime.components.seconds), expandSeconds,
                         expandSeconds > 0 ? Double(before) / expandSeconds / 1e6 : 0,
                         Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18))
        for path in written { out.write("  wrote \(path)\n") }
        out.flush()
    }
}
