// `TesseraBench train`: count + train on a corpus and report phase times, peak RSS and the merges
// (as hex byte pairs, one per line) so bench/train_parity.py can compare them with the peers'.
//
//   TesseraBench train --corpus FILE --vocab N [--pattern gpt2] [--threads T] [--merges-out PATH]

import Foundation
import TesseraPreTokenizers
import TesseraTraining

enum Train {
    static func run(_ o: [String: String]) throws {
        guard let corpus = o["corpus"], let vocab = Int(o["vocab"] ?? "") else { Bench.usage() }
        let patternName = o["pattern"] ?? "gpt2"
        guard let pattern = BuiltinPattern(rawValue: patternName) else { Bench.usage() }
        let threads = Int(o["threads"] ?? "2") ?? 2
        let t0 = Bench.now()
        let counter = try PretokenCounter(preTokenizer: PatternScanner(pattern), preTokenizerName: patternName, threads: threads)
        let counts = try counter.count(files: [corpus])
        let t1 = Bench.now()
        if let out = o["counts-out"] { try counts.write(to: out) }
        let trained = try BPETrainer.train(counts, parameters: BPETrainingParameters(vocabularySize: vocab))
        let t2 = Bench.now()
        if let out = o["merges-out"] {
            func hex(_ id: UInt32) -> String { trained.tokens[Int(id)].map { String(format: "%02x", $0) }.joined() }
            let lines = trained.merges.map { "\(hex($0.left)) \(hex($0.right)) \($0.count)" }
            try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
        }
        Bench.emit([("engine", "tessera"), ("corpus", corpus), ("vocab", vocab), ("threads", threads),
                    ("distinct_pretokens", counts.count), ("pretokens", Int(counts.total)), ("merges", trained.merges.count),
                    ("count_s", t1 - t0), ("merge_s", t2 - t1), ("train_s", t2 - t0), ("peak_rss_mb", Bench.peakRSSMB())])
    }
}

/// `TesseraBench replay --corpus FILE --merges PATH [--pattern gpt2]`: applies another trainer's merge
/// list (hex byte pairs, one per line) to the corpus counts and prints, per step, the listed pair's
/// count and the best count available then (equal for every step of a greedy trainer, ties aside).
enum Replay {
    static func run(_ o: [String: String]) throws {
        guard let corpus = o["corpus"], let mergesPath = o["merges"] else { Bench.usage() }
        let patternName = o["pattern"] ?? "gpt2"
        guard let pattern = BuiltinPattern(rawValue: patternName) else { Bench.usage() }
        let counts = try PretokenCounter(preTokenizer: PatternScanner(pattern), preTokenizerName: patternName, threads: 2)
            .count(files: [corpus])
        func bytes(_ hex: Substring) -> [UInt8] {
            var out: [UInt8] = []
            var i = hex.startIndex
            while i < hex.endIndex {
                let j = hex.index(i, offsetBy: 2)
                out.append(UInt8(hex[i..<j], radix: 16) ?? 0)
                i = j
            }
            return out
        }
        let engine = BPEMergeEngine(baseTokens: BPEMergeEngine.byteAlphabet)
        var word: [UInt32] = []
        for i in 0..<counts.count {
            word = counts.key(i).map { UInt32($0) }
            engine.addWord(word, count: counts.counts[i])
        }
        engine.countPairs()
        // Ids of the listed tokens are assigned as the replay creates them (256, 257, …).
        var idOf: [[UInt8]: UInt32] = [:]
        for b in 0..<256 { idOf[[UInt8(b)]] = UInt32(b) }
        var list: [(left: UInt32, right: UInt32)] = []
        var next: UInt32 = 256
        for line in try String(contentsOfFile: mergesPath, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let l = idOf[bytes(parts[0])], let r = idOf[bytes(parts[1])] else {
                print("{\"error\":\"merge \(list.count + 1) names an unknown token\"}")
                exit(1)
            }
            list.append((l, r))
            idOf[bytes(parts[0]) + bytes(parts[1])] = next
            next += 1
        }
        let report = engine.replay(list)
        var worse = 0, firstWorse = -1
        for (i, r) in report.enumerated() where r.count < r.best {
            worse += 1
            if firstWorse < 0 { firstWorse = i + 1 }
        }
        Bench.emit([("engine", "tessera-replay"), ("merges", report.count), ("not_greedy", worse), ("first_not_greedy", firstWorse)])
        if let out = o["report-out"] {
            try (report.map { "\($0.count) \($0.best)" }.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
        }
    }
}
