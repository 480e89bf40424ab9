// `tessera stats`: efficiency and fairness metrics of tokenizers × corpora (TesseraAnalysis.TokenizerStatistics).

import ArgumentParser
import Foundation
import TesseraAnalysis
import TesseraFormats
import TesseraTokenizer

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Tokenizer metrics on corpora: bytes/token, fertility, continued words, efficiencies, utilisation, …",
        discussion: """
        Each PATH (file, or folder of files) is one corpus. Words are runs of non-whitespace; each token counts \
        for the word holding its first non-whitespace byte (in-context fertility). Shannon and Rényi efficiency \
        use |V| = observed types (the tokenization-scorer convention); the _vocab columns use the vocabulary \
        size. --reference gives the normalized sequence length (tokens / reference tokens).
        """)

    @Argument(help: "Corpora: files or folders (each argument is one corpus).")
    var paths: [String]

    @Option(name: [.customShort("t"), .long], parsing: .upToNextOption, help: "Tokenizers (names or paths). Default: o200k_base.")
    var tokenizers: [String] = []

    @Option(name: .long, help: "Reference tokenizer for the normalized sequence length.")
    var reference: String?

    @Option(name: .long, help: "Order of the Rényi entropy.")
    var alpha: Double = 2.5

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Print CSV.")
    var csv = false

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv are exclusive; pick one") }
        if alpha <= 0 { throw ValidationError("--alpha must be positive") }
    }

    func run() throws {
        let names = tokenizers.isEmpty ? ["o200k_base"] : tokenizers
        let loaded = try (names + (reference.map { [$0] } ?? [])).map { name -> Tokenizer in
            do { return try TokenizerLoader.load(nameOrPath: name) } catch { throw CLIError("cannot load tokenizer '\(name)': \(error)") }
        }
        let referenceTokenizer = reference != nil ? loaded.last : nil
        let measured = Array(loaded.prefix(names.count))
        var rows: [[(String, String)]] = []
        for path in paths {
            let items = try Inputs.expand([path])
            let texts = try items.map { try $0.read() }
            var referenceTokens: UInt64?
            if let referenceTokenizer {
                referenceTokens = try texts.reduce(UInt64(0)) { $0 + UInt64(try referenceTokenizer.encode($1, specials: .asText).count) }
            }
            for tokenizer in measured {
                var stats = TokenizerStatistics()
                let parts = try measure(tokenizer, texts)
                for p in parts { stats.merge(p) }
                rows.append(row(path, tokenizer.name, stats, referenceTokens))
            }
        }
        let out = OutputBuffer()
        if json {
            out.write("[" + rows.map { r in "{" + r.map { "\(JSONText.quote($0.0)):\(Double($0.1) == nil ? JSONText.quote($0.1) : $0.1)" }
                .joined(separator: ",") + "}" }.joined(separator: ",\n") + "]\n")
        } else if csv {
            out.write((rows.first ?? []).map(\.0).joined(separator: ",") + "\n")
            for r in rows { out.write(r.map { CountCommand.csvField($0.1) }.joined(separator: ",") + "\n") }
        } else {
            // Aligned table: one line per metric, one column per (corpus, tokenizer).
            guard let first = rows.first else { return }
            let width = max(12, rows.flatMap { $0.map { $0.1.count } }.max() ?? 12)
            for (i, field) in first.enumerated() {
                out.write(field.0.padding(toLength: 26, withPad: " ", startingAt: 0))
                for r in rows { out.write("  " + String(repeating: " ", count: max(0, width - r[i].1.count)) + r[i].1) }
                out.write("\n")
            }
        }
        out.flush()
    }

    /// Statistics of each text, computed on worker threads (order of results = order of texts).
    func measure(_ tokenizer: Tokenizer, _ texts: [[UInt8]]) throws -> [TokenizerStatistics] {
        do {
            return try Parallel.map(count: texts.count, threads: threadOptions.count) { i in
                try TokenizerStatistics(tokenizer: tokenizer, text: texts[i])
            }
        } catch { throw CLIError("\(tokenizer.name): \(error)") }
    }

    func row(_ corpus: String, _ tokenizer: String, _ s: TokenizerStatistics, _ referenceTokens: UInt64?) -> [(String, String)] {
        func f(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "n/a" }
        return [
            ("corpus", corpus), ("tokenizer", tokenizer), ("bytes", "\(s.bytes)"), ("tokens", "\(s.tokens)"),
            ("bytes_per_token", f(s.bytesPerToken)), ("chars_per_token", f(s.charactersPerToken)), ("words", "\(s.words)"),
            ("fertility", f(s.fertility)), ("continued_words", f(s.continuedWordShare)),
            ("types_observed", "\(s.distribution.observedTypes)"), ("vocabulary", "\(s.vocabularySize)"),
            ("vocab_utilisation", f(s.vocabularyUtilisation)),
            ("shannon_efficiency", f(s.distribution.shannonEfficiency())),
            ("renyi_efficiency", f(s.distribution.renyiEfficiency(alpha: alpha))),
            ("shannon_eff_vocab", f(s.distribution.shannonEfficiency(vocabularySize: s.vocabularySize))),
            ("renyi_eff_vocab", f(s.distribution.renyiEfficiency(alpha: alpha, vocabularySize: s.vocabularySize))),
            ("renyi_alpha", f(alpha)), ("crossing_whitespace", f(s.crossingTokenShare)), ("fallback_rate", f(s.fallbackRate)),
            ("normalized_length", referenceTokens.map { f($0 > 0 ? Double(s.tokens) / Double($0) : nil) } ?? "n/a"),
        ]
    }
}
