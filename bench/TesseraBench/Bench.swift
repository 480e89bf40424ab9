// TesseraBench: the Swift side of bench/encode_bench.py. Each mode prints one JSON line per result so
// the Python driver can put Tessera next to the peers measured in the same run.
//
//   TesseraBench encode --tokenizer T --corpus FILE [--doc-bytes 10000] [--threads N] [--repeat R]
//   TesseraBench scan --pattern cl100k|o200k|gpt2|llama3|qwen2 --corpus FILE [--repeat R]
//   TesseraBench worst-case [--tokenizer T]
//   TesseraBench stress [--iterations 1000000] [--seed S]   (Stress.swift: encode/decode round trips)
//   TesseraBench fuzz [--iterations 1000000] [--readers R,..] [--threads 2] [--replay I]   (Fuzz.swift: every reader)
//   TesseraBench train --corpus FILE --vocab N [--pattern gpt2] [--threads T] [--merges-out PATH]   (Train.swift)
//   TesseraBench replay --corpus FILE --merges PATH [--pattern gpt2] [--report-out PATH]             (Train.swift)
//   TesseraBench load --tokenizer PATH [--repeat R]   (Load.swift)
//   TesseraBench write-json --tokenizer IN --output OUT [--from file|tokenizer]   (Load.swift)
//   TesseraBench lib --corpus FILE [--steps 200] …  /  stochastok --tokenizer T --corpus FILE [--p 0.1] …  (Stochastic.swift)
//
// Documents: the corpus is cut at line ends once a document reaches --doc-bytes (the same rule as
// the Python driver), so every engine sees identical documents.

import Foundation
import TesseraBPE
import TesseraFormats
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer

@main
struct Bench {
    static func main() throws {
        var args = Array(CommandLine.arguments.dropFirst())
        guard let mode = args.first else { usage() }
        args.removeFirst()
        let options = try parse(args)
        switch mode {
        case "encode": try encode(options)
        case "scan": try scan(options)
        case "worst-case": try worstCase(options)
        case "stress": try Stress.run(options)
        case "fuzz": try Fuzz.run(options)
        case "train": try Train.run(options)
        case "replay": try Replay.run(options)
        case "load": try Load.run(options)
        case "write-json": try WriteJSON.run(options)
        case "lib": try LiBBench.run(options)
        case "stochastok": try StochasTokBench.run(options)
        default: usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: TesseraBench encode|scan|worst-case|load|write-json|stress|fuzz|train|replay|lib|stochastok [--tokenizer T] [--corpus FILE] [--threads N] [--repeat R] [--doc-bytes B] [--pattern P]\n".utf8))
        exit(2)
    }

    static func parse(_ args: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < args.count {
            guard args[i].hasPrefix("--"), i + 1 < args.count else {
                FileHandle.standardError.write(Data("bad argument: \(args[i])\n".utf8)); usage()
            }
            out[String(args[i].dropFirst(2))] = args[i + 1]
            i += 2
        }
        return out
    }

    static func documents(_ corpus: [UInt8], docBytes: Int) -> [[UInt8]] {
        var docs: [[UInt8]] = []
        var start = 0
        var i = 0
        while i < corpus.count {
            if corpus[i] == 0x0A && i + 1 - start >= docBytes {
                docs.append(Array(corpus[start...i]))
                start = i + 1
            }
            i += 1
        }
        if start < corpus.count { docs.append(Array(corpus[start...])) }
        return docs
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func peakRSSMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func emit(_ fields: [(String, Any)]) {
        let body = fields.map { key, value -> String in
            switch value {
            case let s as String: return "\"\(key)\":\"\(s)\""
            case let d as Double: return "\"\(key)\":" + String(format: "%.4f", d)
            case let a as [Double]: return "\"\(key)\":[" + a.map { String(format: "%.4f", $0) }.joined(separator: ",") + "]"
            default: return "\"\(key)\":\(value)"
            }
        }.joined(separator: ",")
        print("{" + body + "}")
    }

    static func encode(_ o: [String: String]) throws {
        let name = o["tokenizer"] ?? "o200k_base"
        guard let corpusPath = o["corpus"] else { usage() }
        let threads = Int(o["threads"] ?? "1") ?? 1
        let repeats = Int(o["repeat"] ?? "3") ?? 3
        let docs = documents(try FileBytes.read(corpusPath), docBytes: Int(o["doc-bytes"] ?? "10000") ?? 10000)
        let t0 = now()
        let tokenizer = try TokenizerLoader.load(nameOrPath: name)
        let loadMS = (now() - t0) * 1000
        let bytes = docs.reduce(0) { $0 + $1.count }
        var seconds: [Double] = []
        var tokens = 0
        for _ in 0..<repeats {
            let start = now()
            if threads == 1 {
                var count = 0
                var ids: [TokenID] = []
                for d in docs {
                    ids.removeAll(keepingCapacity: true)
                    try tokenizer.encode(d, specials: .asText, into: &ids, offsets: nil)
                    count += ids.count
                }
                tokens = count
            } else {
                tokens = try tokenizer.encodeBatch(docs, specials: .asText, threads: threads).reduce(0) { $0 + $1.count }
            }
            seconds.append(now() - start)
        }
        emit([("engine", "tessera"), ("tokenizer", name), ("threads", threads), ("docs", docs.count), ("bytes", bytes),
              ("tokens", tokens), ("seconds", seconds), ("median_mb_s", Double(bytes) / 1e6 / median(seconds)),
              ("load_ms", loadMS), ("peak_rss_mb", peakRSSMB())])
    }

    /// Loads the tokenizer R times in this process and reports each load's wall time.
    static func scan(_ o: [String: String]) throws {
        guard let patternName = o["pattern"], let pattern = BuiltinPattern(rawValue: patternName),
              let corpusPath = o["corpus"] else { usage() }
        let repeats = Int(o["repeat"] ?? "5") ?? 5
        let corpus = try FileBytes.read(corpusPath)
        let scanner = PatternScanner(pattern)
        var seconds: [Double] = []
        var pieces = 0
        for _ in 0..<repeats {
            let start = now()
            var count = 0
            corpus.withUnsafeBufferPointer { scanner.forEachPiece(in: $0) { _ in count += 1 } }
            pieces = count
            seconds.append(now() - start)
        }
        emit([("engine", "tessera-scan"), ("pattern", patternName), ("bytes", corpus.count), ("pieces", pieces),
              ("seconds", seconds), ("median_mb_s", Double(corpus.count) / 1e6 / median(seconds))])
    }

    static func worstCase(_ o: [String: String]) throws {
        let tokenizer = try TokenizerLoader.load(nameOrPath: o["tokenizer"] ?? "o200k_base")
        var rng = SplitMix64(seed: 42)
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éßø".utf8)
        let cases: [(String, [UInt8])] = [
            ("one letter x 1 MB", [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)),
            ("one letter x 4 MB", [UInt8](repeating: UInt8(ascii: "a"), count: 4 << 20)),
            ("no spaces, mixed letters x 1 MB", (0..<(1 << 20)).map { _ in letters[Int(rng.next() % UInt64(letters.count))] }),
            ("no spaces, mixed letters x 4 MB", (0..<(4 << 20)).map { _ in letters[Int(rng.next() % UInt64(letters.count))] }),
            ("random bytes x 1 MB", (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }),
            ("random bytes x 4 MB", (0..<(4 << 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }),
        ]
        for (label, text) in cases {
            var best = Double.infinity
            var tokens = 0
            for _ in 0..<3 {
                let start = now()
                tokens = try tokenizer.encode(text, specials: .asText).count
                best = min(best, now() - start)
            }
            emit([("engine", "tessera-worst-case"), ("case", label), ("bytes", text.count), ("tokens", tokens),
                  ("seconds", best)])
        }
    }
}

/// Deterministic generator for the synthetic inputs (SplitMix64, shared with the tests).
typealias SplitMix64 = SeededGenerator
