// TesseraBench modes for LiB and StochasTok (driven by bench/lib_bench.py and bench/stochastok_bench.py):
//
//   TesseraBench lib --corpus FILE [--steps 200] [--sentences 200] [--preset demo|reference] [--seed 0] [--repeat 5]
//       LiB training time in-process (corpus lines in memory, as the Python reference holds them), the final
//       lexicon size, and the token/type counts of segmenting the corpus with the trained model.
//   TesseraBench stochastok --tokenizer T --corpus FILE [--p 0.1] [--seeds 5] [--repeat 5] [--lines 0]
//       Split-table build time, then expansion throughput on one core over the corpus's ids as one
//       sequence (or the first --lines lines, each encoded alone and concatenated, as the reference figures).

import Foundation
import TesseraBPE
import TesseraFormats
import TesseraLiB
import TesseraStochastic
import TesseraTokenizer

enum LiBBench {
    static func run(_ o: [String: String]) throws {
        guard let corpusPath = o["corpus"] else { Bench.usage() }
        let steps = Int(o["steps"] ?? "200") ?? 200
        let repeats = Int(o["repeat"] ?? "5") ?? 5
        var p = o["preset"] == "reference" ? LiBParameters() : LiBParameters.demo
        if let s = o["sentences"].flatMap(Int.init) { p.sentencesPerStep = s }
        p.seed = UInt64(o["seed"] ?? "0") ?? 0
        var lines = try String(decoding: FileBytes.read(corpusPath), as: UTF8.self).components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let sentences = lines.map { Array($0.utf8) }
        var seconds: [Double] = []
        var cpu: [Double] = []
        var result: LiBTrainingResult?
        for _ in 0..<repeats {
            var articles = InMemoryArticles(sentences: sentences)
            let start = Bench.now(), startCPU = cpuNow()
            result = try LiBTrainer.train(parameters: p, steps: steps, nextArticle: { articles.next(p.sentencesPerStep, into: &$0) })
            seconds.append(Bench.now() - start)
            cpu.append(cpuNow() - startCPU)
        }
        guard let result else { return }
        let model = try LiBModel(lexicon: result.lexicon)
        var tokens = 0
        var types = Set<[UInt8]>()
        let segmentStart = Bench.now()
        for s in sentences {
            let chunks = model.segment(s)
            tokens += chunks.count
            types.formUnion(chunks)
        }
        let segmentSeconds = Bench.now() - segmentStart
        Bench.emit([("engine", "tessera"), ("corpus", corpusPath), ("steps", steps), ("sentences_per_step", p.sentencesPerStep),
                    ("seed", Int(p.seed)), ("seconds", seconds), ("min_seconds", seconds.min() ?? 0), ("cpu_seconds", cpu), ("min_cpu_seconds", cpu.min() ?? 0),
                    ("lexicon", result.lexicon.count),
                    ("tokens", tokens), ("types", types.count), ("segment_seconds", segmentSeconds)])
    }
}

/// CPU time of the calling thread (less sensitive than wall time to other processes on a shared machine).
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

enum StochasTokBench {
    static func run(_ o: [String: String]) throws {
        guard let corpusPath = o["corpus"] else { Bench.usage() }
        let tokenizer = try TokenizerLoader.load(nameOrPath: o["tokenizer"] ?? "r50k_base")
        let p = Double(o["p"] ?? "0.1") ?? 0.1
        let seeds = Int(o["seeds"] ?? "5") ?? 5
        let repeats = Int(o["repeat"] ?? "5") ?? 5
        let lineLimit = Int(o["lines"] ?? "0") ?? 0
        var tableSeconds: [Double] = []
        var table: SplitTable?
        for _ in 0..<repeats {
            let start = Bench.now()
            table = SplitTable(tokenizer: tokenizer)
            tableSeconds.append(Bench.now() - start)
        }
        guard let table else { return }
        let text = try FileBytes.read(corpusPath)
        var ids: [TokenID] = []
        if lineLimit > 0 {
            for line in text.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(lineLimit) {
                ids += try tokenizer.encode(Array(line), specials: .asText)
            }
        } else {
            ids = try tokenizer.encode(text, specials: .asText)
        }
        let expander = try StochasTokExpander(table: table, probability: p)
        var growth: [Double] = []
        var seconds: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<repeats {
            let start = Bench.now(), startCPU = cpuNow()
            var total = 0
            for seed in 0..<seeds { total += expander.expand(ids, seed: UInt64(seed)).ids.count }
            seconds.append((Bench.now() - start) / Double(seeds))
            cpu.append((cpuNow() - startCPU) / Double(seeds))
            precondition(total > 0 || ids.isEmpty)
        }
        for seed in 0..<seeds {
            let r = expander.expand(ids, seed: UInt64(seed))
            growth.append(Double(r.ids.count - ids.count) / Double(ids.count))
        }
        let stats = table.statistics(vocabulary: tokenizer.vocabulary, excluding: Set(tokenizer.specialTokens.entries.map(\.id)))
        Bench.emit([("engine", "tessera"), ("tokenizer", tokenizer.name), ("p", p), ("ids", ids.count),
                    ("table_seconds", tableSeconds.min() ?? 0), ("tokens_with_splits", stats.tokensWithSplits),
                    ("multi_byte_tokens", stats.multiByteTokens), ("mean_splits", stats.meanSplits), ("max_splits", stats.maximumSplits),
                    ("expand_seconds", seconds.min() ?? 0), ("expand_cpu_seconds", cpu.min() ?? 0),
                    ("ids_per_second", Double(ids.count) / (seconds.min() ?? 1)),
                    ("growth", growth)])
    }
}
