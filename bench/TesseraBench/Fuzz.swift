// `TesseraBench fuzz`: mutation fuzzing of every reader, in memory, N mutated inputs per reader.
//
//   TesseraBench fuzz [--iterations 1000000] [--readers tiktoken,gpt2,...] [--threads 2] [--seed 1]
//                     [--timeout 60] [--replay INDEX --readers R]
//
// Contract checked for every input: the reader returns a value or throws its module's typed error
// (FormatError, SentencePieceError, TrainingError); it never traps, never throws anything else, and
// never runs longer than --timeout seconds of wall time (a watchdog thread ends the run with the reader and input
// index; the default of 60 s is far above any input's cost, so that a run starved by other jobs on a shared
// machine is not mistaken for a hang: one 10 s stall of an input that replays in 0.04 s was seen at load 10). A tokenizer that loads must encode and decode a fixed text, and the byte-level BPE formats
// must round-trip it up to their normalizer.
//
// Inputs are reproducible one by one: input i of reader R is derived from (seed, R, i) alone, so
// `--replay i --readers R` rebuilds it (and writes its files under bench/out/fuzz-replay/) whatever the
// thread count. A crash ends the process; the progress lines on stderr bound the index to replay.
//
// Seeds are small valid files of each format (built here through Tessera's own writers from the first
// 856 ranks of r50k_base, and from the committed SentencePiece models cut to 300 pieces), so that a
// mutated input costs microseconds and 10^6 inputs per reader fit in minutes.
//
// Mutations (1-4 stacked per input): byte flips and overwrites with boundary values, junk insertion,
// range deletion/duplication/truncation, little-endian integer fields overwritten with boundary
// values (length prefixes, counts, varints), splices between seeds, and for text formats line
// duplication/deletion/swap and number/string replacement.

import Foundation
import TesseraBPE
import TesseraFormats
import TesseraSentencePiece
import TesseraTokenizer
import TesseraTraining

enum Fuzz {
    /// The run's seed, for the replay hints printed on a failure (set once, before any worker starts).
    nonisolated(unsafe) static var seedUsed: UInt64 = 1
    /// One reader under test: its seeds (each a list of file contents) and how to read one input.
    struct Reader: @unchecked Sendable {
        var name: String
        var seeds: [[[UInt8]]]
        /// Text formats also get line-level mutations.
        var isText: Bool
        /// Byte-level BPE formats must round-trip text exactly (up to their normalizer).
        var roundTrips: Bool
        /// Reads one input; returns a tokenizer when the format yields one (else nil).
        var read: ([[UInt8]]) throws -> Tokenizer?
    }

    struct Tally: Sendable {
        var inputs = 0, loaded = 0, typedErrors = 0, failures = 0
        var slowestNanoseconds: UInt64 = 0
        var slowestIndex = -1
    }

    static func run(_ o: [String: String]) throws {
        let iterations = Int(o["iterations"] ?? "1000000") ?? 1_000_000
        let threads = max(1, Int(o["threads"] ?? "2") ?? 2)
        let seed = UInt64(o["seed"] ?? "1") ?? 1
        seedUsed = seed
        let timeout = Double(o["timeout"] ?? "60") ?? 60
        let all = try readers(vocabularies: o["vocabularies"] ?? "vocabularies", options: o)
        let wanted = o["readers"].map { Set($0.split(separator: ",").map(String.init)) }
        let chosen = all.filter { wanted?.contains($0.name) ?? true }
        guard !chosen.isEmpty else {
            FileHandle.standardError.write(Data("fuzz: no reader among \(all.map(\.name).joined(separator: ","))\n".utf8)); exit(2)
        }
        if let replay = o["replay"].flatMap(Int.init) {
            for reader in chosen { try replayOne(reader, index: replay, seed: seed) }
            return
        }
        var failures = 0
        for reader in chosen {
            let tally = fuzz(reader, iterations: iterations, threads: threads, seed: seed, timeout: timeout)
            failures += tally.failures
        }
        if failures > 0 { exit(1) }
    }

    // MARK: Driving

    static func fuzz(_ reader: Reader, iterations: Int, threads: Int, seed: UInt64, timeout: Double) -> Tally {
        // Seeds must load unmutated, or the run would only exercise error paths.
        for (i, files) in reader.seeds.enumerated() {
            do {
                guard let t = try reader.read(files) else { continue }
                let text = Array("Seed check: hello 123 日本\n".utf8)
                _ = try t.decode(t.encode(text, specials: .asText))
            } catch {
                print("fuzz: seed \(i) of \(reader.name) does not load: \(error)")
                exit(2)
            }
        }
        let watchdog = Watchdog(workers: threads, timeout: timeout, reader: reader.name)
        watchdog.start()
        let start = Date()
        let tallies = LockedArray<Tally>(count: threads, initial: Tally())
        let progressEvery = max(1, iterations / 10)
        Parallel.run(workers: threads) { worker in
            var tally = Tally()
            var index = worker
            while index < iterations {
                let files = input(reader, index: index, seed: seed)
                let began = DispatchTime.now().uptimeNanoseconds
                watchdog.begin(worker: worker, index: index, at: began)
                check(reader, files, index: index, tally: &tally)
                let took = DispatchTime.now().uptimeNanoseconds - began
                watchdog.end(worker: worker)
                if took > tally.slowestNanoseconds { tally.slowestNanoseconds = took; tally.slowestIndex = index }
                tally.inputs += 1
                if index % progressEvery == 0 && index > 0 {
                    FileHandle.standardError.write(Data("fuzz \(reader.name): input \(index) of \(iterations)\n".utf8))
                }
                index += threads
            }
            tallies.set(worker, tally)
        }
        watchdog.stop()
        var total = Tally()
        for t in tallies.values {
            total.inputs += t.inputs; total.loaded += t.loaded; total.typedErrors += t.typedErrors; total.failures += t.failures
            if t.slowestNanoseconds > total.slowestNanoseconds { total.slowestNanoseconds = t.slowestNanoseconds; total.slowestIndex = t.slowestIndex }
        }
        Bench.emit([("phase", "fuzz"), ("reader", reader.name), ("inputs", total.inputs), ("loaded", total.loaded),
                    ("typed_errors", total.typedErrors), ("failures", total.failures),
                    ("slowest_ms", Double(total.slowestNanoseconds) / 1e6), ("slowest_index", total.slowestIndex),
                    ("seconds", Date().timeIntervalSince(start)), ("threads", threads)])
        fflush(nil)   // one line per reader, visible while the next reader runs
        return total
    }

    static func check(_ reader: Reader, _ files: [[UInt8]], index: Int, tally: inout Tally) {
        do {
            guard let t = try reader.read(files) else { tally.loaded += 1; return }
            tally.loaded += 1
            let text = Array("Fuzz: 日本 ok\n  x".utf8)
            let ids = try t.encode(text, specials: .asText)
            let back = try t.decode(ids)
            if reader.roundTrips {
                let expected = try t.normalizer?.normalizedBytes(text) ?? text
                if back != expected { fail(reader, index: index, tally: &tally, "loaded but does not round-trip") }
            }
        } catch is FormatError {
            tally.typedErrors += 1
        } catch is SentencePieceError {
            tally.typedErrors += 1
        } catch is TrainingError {
            tally.typedErrors += 1
        } catch {
            fail(reader, index: index, tally: &tally, "untyped error \(type(of: error)): \(error)")
        }
    }

    static func fail(_ reader: Reader, index: Int, tally: inout Tally, _ message: String) {
        tally.failures += 1
        if tally.failures <= 5 { print("fuzz \(reader.name) input \(index): \(message) (replay: --replay \(index) --readers \(reader.name) --seed \(Fuzz.seedUsed))") }
    }

    static func replayOne(_ reader: Reader, index: Int, seed: UInt64) throws {
        let files = input(reader, index: index, seed: seed)
        let folder = "bench/out/fuzz-replay/\(reader.name)-\(index)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (i, f) in files.enumerated() { FileManager.default.createFile(atPath: folder + "/file\(i)", contents: Data(f)) }
        for (s, seedFiles) in reader.seeds.enumerated() {
            for (i, f) in seedFiles.enumerated() { FileManager.default.createFile(atPath: folder + "/seed\(s)-file\(i)", contents: Data(f)) }
        }
        print("fuzz: input \(index) of \(reader.name) and the seeds written to \(folder)")
        fflush(nil)
        var tally = Tally()
        check(reader, files, index: index, tally: &tally)
        print("fuzz: loaded \(tally.loaded), typed errors \(tally.typedErrors), failures \(tally.failures)")
    }

    // MARK: Inputs

    /// Input `index` of `reader`: a seed with 1-4 stacked mutations, from (seed, reader, index) alone.
    static func input(_ reader: Reader, index: Int, seed: UInt64) -> [[UInt8]] {
        var nameHash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in reader.name.utf8 { nameHash = (nameHash ^ UInt64(b)) &* 0x100_0000_01B3 }
        var rng = SplitMix64(seed: seed ^ nameHash ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        var files = reader.seeds[Int(rng.next() % UInt64(reader.seeds.count))]
        let which = Int(rng.next() % UInt64(files.count))
        let donor = reader.seeds[Int(rng.next() % UInt64(reader.seeds.count))]
        for _ in 0...Int(rng.next() % 4) {
            if reader.isText && rng.next() % 2 == 0 {
                mutateLines(&files[which], rng: &rng)
            } else {
                mutateBytes(&files[which], donor: donor[min(which, donor.count - 1)], rng: &rng)
            }
        }
        return files
    }

    static let junk: [[UInt8]] = [
        Array("{".utf8), Array("}".utf8), Array("[".utf8), Array("\"".utf8), Array("\\u".utf8), Array("\\ud800".utf8),
        Array(",".utf8), Array(":".utf8), Array("null".utf8), Array("-1".utf8), Array("1e999".utf8),
        Array("99999999999999999999".utf8), [0xFF, 0xFE], [0xC3], [0xED, 0xA0, 0x80], Array("\n".utf8), Array("\r\n".utf8),
        Array(" ".utf8), Array("=".utf8), Array("GGUF".utf8), [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0, 0, 0, 0, 0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
    ]

    static let boundaryIntegers: [UInt64] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
                                             0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFF, 1 << 40]

    static func mutateBytes(_ b: inout [UInt8], donor: [UInt8], rng: inout SplitMix64) {
        let p = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
        switch rng.next() % 9 {
        case 0: if !b.isEmpty { b[p] ^= UInt8(1) << (rng.next() % 8) }
        case 1: if !b.isEmpty { b[p] = [0, 0xFF, 0x7F, 0x80, 0x22, 0x5C, 0x0A, 0x20][Int(rng.next() % 8)] }
        case 2: b.insert(contentsOf: junk[Int(rng.next() % UInt64(junk.count))], at: p)
        case 3: if !b.isEmpty { b.removeSubrange(p..<min(b.count, p + 1 + Int(rng.next() % 32))) }
        case 4: b = Array(b[..<p])
        case 5:
            if !b.isEmpty {
                let q = min(b.count, p + 1 + Int(rng.next() % 64))
                b.insert(contentsOf: b[p..<q], at: p)
            }
        case 6:   // an integer field: 1, 2, 4 or 8 little-endian bytes
            let width = [1, 2, 4, 8][Int(rng.next() % 4)]
            if b.count >= width {
                let at = Int(rng.next() % UInt64(b.count - width + 1))
                var v = boundaryIntegers[Int(rng.next() % UInt64(boundaryIntegers.count))]
                if rng.next() % 4 == 0 { v = v &+ (rng.next() % 3) &- 1 }
                for k in 0..<width { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
            }
        case 7:   // splice: a run of another seed's bytes
            if !donor.isEmpty {
                let a = Int(rng.next() % UInt64(donor.count))
                let run = donor[a..<min(donor.count, a + 1 + Int(rng.next() % 256))]
                if !b.isEmpty && rng.next() % 2 == 0 {
                    b.replaceSubrange(p..<min(b.count, p + run.count), with: run)
                } else {
                    b.insert(contentsOf: run, at: p)
                }
            }
        default:  // random bytes
            for _ in 0..<(1 + Int(rng.next() % 8)) where !b.isEmpty {
                b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
    }

    /// Line-level mutations, done in place on line boundaries (documents are thousands of lines; splitting
    /// them into arrays per input cost more than the readers).
    static func mutateLines(_ b: inout [UInt8], rng: inout SplitMix64) {
        var starts = [0]
        b.withUnsafeBufferPointer { p in
            for i in p.indices where p[i] == 0x0A { starts.append(i + 1) }
        }
        let count = starts.count
        func line(_ k: Int) -> Range<Int> { starts[k]..<(k + 1 < count ? starts[k + 1] - 1 : b.count) }
        let i = Int(rng.next() % UInt64(count)), j = Int(rng.next() % UInt64(count))
        switch rng.next() % 5 {
        case 0:
            b.insert(contentsOf: Array(b[line(i)]) + [0x0A], at: starts[j])
        case 1:
            if i + 1 < count { b.removeSubrange(starts[i]..<starts[i + 1]) } else { b.removeSubrange(max(0, starts[i] - 1)..<b.count) }
        case 2:
            guard i != j else { return }
            let (lo, hi) = (min(i, j), max(i, j))
            let first = Array(b[line(lo)]), second = Array(b[line(hi)])
            b.replaceSubrange(line(hi), with: first)
            b.replaceSubrange(line(lo), with: second)
        case 3:
            var text = Array(b[line(i)])
            replaceNumber(in: &text, rng: &rng)
            b.replaceSubrange(line(i), with: text)
        default:
            var text = Array(b[line(i)])
            replaceString(in: &text, rng: &rng)
            b.replaceSubrange(line(i), with: text)
        }
    }

    static let numberReplacements = ["-1", "0", "4294967296", "99999999999999999999", "1.5", "1e9", "-0", "", "0x10", "\"7\"", "null", "[]"]
        .map { Array($0.utf8) }

    /// Replaces one run of digits in `line` by a boundary or ill-typed value.
    static func replaceNumber(in line: inout [UInt8], rng: inout SplitMix64) {
        let starts = line.indices.filter { (0x30...0x39).contains(line[$0]) && ($0 == 0 || !(0x30...0x39).contains(line[$0 - 1])) }
        guard !starts.isEmpty else { return }
        let a = starts[Int(rng.next() % UInt64(starts.count))]
        var e = a
        while e < line.count && (0x30...0x39).contains(line[e]) { e += 1 }
        line.replaceSubrange(a..<e, with: numberReplacements[Int(rng.next() % UInt64(numberReplacements.count))])
    }

    /// Replaces one JSON string literal's content (or a whole literal) in `line`.
    static func replaceString(in line: inout [UInt8], rng: inout SplitMix64) {
        let quotes = line.indices.filter { line[$0] == 0x22 }
        guard quotes.count >= 2 else { return }
        let k = Int(rng.next() % UInt64(quotes.count - 1))
        let (a, e) = (quotes[k], quotes[k + 1])
        let replacements: [[UInt8]] = [Array("\"\"".utf8), Array("\"<|endoftext|>\"".utf8), Array("\"\\u0000\"".utf8),
                                       Array("17".utf8), Array("\"\\uD800\"".utf8), Array("\"Ġ\"".utf8), Array("\"a b\"".utf8)]
        line.replaceSubrange(a...e, with: replacements[Int(rng.next() % UInt64(replacements.count))])
    }

    // MARK: Readers and their seeds

    static func readers(vocabularies root: String, options o: [String: String] = [:]) throws -> [Reader] {
        let folder = NSTemporaryDirectory() + "tessera-fuzz-seeds-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        // The base tokenizer: r50k's first 856 ranks with GPT-2's pattern and one special token.
        let r50k = try FileBytes.read(root + "/r50k_base.tiktoken")
        let tiktoken = Array(r50k.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(856).joined(separator: [0x0A])) + [0x0A]
        let sidecar = Array(#"{"name": "fuzz", "pattern": "gpt2", "special_tokens": {"<|endoftext|>": 856}}"#.utf8)
        let base = try TiktokenLoader.load(bytes: tiktoken, sidecarBytes: sidecar, file: "fuzz.tiktoken", sidecarFile: "fuzz.tiktoken.json")
        func written(_ format: String) throws -> [[UInt8]] {
            guard let writer = TokenizerWriters.writer(named: format) else { throw FuzzSetupError("no writer \(format)") }
            return try writer.prepare(base, for: folder + "/seed-" + format, options: WriteOptions()).files.map(\.bytes)
        }
        let gpt2 = try written("gpt2")            // vocab.json, merges.txt[, encoding.json]
        // The other tokenizer.json model types, from the golden files tokenizers wrote (Unigram + Precompiled,
        // WordPiece + BERT components, WordLevel).
        let golden = (o["golden"] ?? "corpora/golden/tokenizer-json") + "/"
        let otherModels = try ["unigram-precompiled.json", "bert-wordpiece.json", "wordlevel.json"].map { [try FileBytes.read(golden + $0)] }
        let tokenizerJSON = try written("tokenizer.json")
        let minbpe = try written("minbpe")
        let tekken = try written("tekken")

        // SentencePiece: the committed models cut to 300 pieces (normalizer kept), and the small char model.
        var sentencePiece: [[[UInt8]]] = []
        var llamaGGUF: [[[UInt8]]] = []
        for name in ["unigram.model", "bpe-suffix.model", "char.model"] {
            var proto = try ModelProto(serialized: FileBytes.read(root + "/sentencepiece/" + name))
            if proto.pieces.count > 300 { proto.pieces.removeSubrange(300...) }
            sentencePiece.append([proto.serialized()])
            llamaGGUF.append([GGUFWriter.llama(proto)])
        }
        let tokens = (0..<base.vocabulary.idUpperBound).compactMap { id in
            base.vocabulary.bytes(of: TokenID(id)).map { ByteLevelAlphabet.encode($0) }
        }
        let mergeLines = String(decoding: gpt2[1], as: UTF8.self).split(separator: "\n").dropFirst().map(String.init)
        let gguf = [GGUFWriter.vocabulary(tokens: tokens, merges: mergeLines, pre: "gpt-2")]

        let lib = LiBModelFile.serialize(.init(lexicon: ["the", " of", "and", "ing", "tion", "日本"].map { Array($0.utf8) }, deeper: false))
        let counter = try PretokenCounter(preTokenizer: base.preTokenizer, preTokenizerName: "gpt2", normalizer: nil)
        let counts = try counter.count(Array("the cat sat on the mat; 日本 the end 123\n".utf8)).serialized()
        let shard = TokenShard(vocabularySize: 857, separator: 856, documents: 2, seed: 7, probability: 0.1,
                               ids: [1, 2, 3, 856, 4, 5, 856]).serialized()

        func tok(_ f: @escaping ([[UInt8]]) throws -> Tokenizer) -> ([[UInt8]]) throws -> Tokenizer? { { try f($0) } }
        return [
            Reader(name: "tiktoken", seeds: [[tiktoken, sidecar]], isText: true, roundTrips: true, read: tok {
                try TiktokenLoader.load(bytes: $0[0], sidecarBytes: $0[1], file: "fuzz.tiktoken", sidecarFile: "fuzz.tiktoken.json")
            }),
            Reader(name: "gpt2", seeds: [gpt2], isText: true, roundTrips: true, read: tok {
                try GPT2Loader.load(vocabBytes: $0[0], mergesBytes: $0[1], sidecarBytes: $0.count > 2 ? $0[2] : nil)
            }),
            Reader(name: "tokenizer.json", seeds: [tokenizerJSON] + otherModels, isText: true, roundTrips: false, read: tok {
                try TokenizerJSONLoader.load(bytes: $0[0], file: "tokenizer.json", name: "fuzz").tokenizer
            }),
            Reader(name: "gguf", seeds: [gguf] + llamaGGUF, isText: false, roundTrips: false, read: tok { files in
                try files[0].withUnsafeBytes { try GGUFLoader.load(bytes: $0, file: "fuzz.gguf") }
            }),
            Reader(name: "sentencepiece", seeds: sentencePiece, isText: false, roundTrips: false, read: tok {
                try SentencePieceLoader.load(bytes: $0[0], file: "fuzz.model")
            }),
            Reader(name: "minbpe", seeds: [minbpe], isText: true, roundTrips: true, read: tok {
                try MinBPELoader.load(bytes: $0[0], file: "fuzz.model", name: "fuzz")
            }),
            Reader(name: "tekken", seeds: [tekken], isText: true, roundTrips: false, read: tok {
                try TekkenLoader.load(bytes: $0[0], file: "tekken.json", name: "fuzz").tokenizer
            }),
            Reader(name: "lib", seeds: [[lib]], isText: true, roundTrips: false, read: tok {
                try LiBModelFile.load(bytes: $0[0], file: "fuzz.lib")
            }),
            Reader(name: "counts", seeds: [[counts]], isText: false, roundTrips: false, read: { files in
                _ = try PretokenCounts.parse(files[0], file: "fuzz.counts"); return nil
            }),
            Reader(name: "shard", seeds: [[shard]], isText: false, roundTrips: false, read: { files in
                _ = try TokenShard.parse(files[0], file: "fuzz.bin"); return nil
            }),
        ]
    }
}

struct FuzzSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Per-worker slots behind a lock (written once per worker).
final class LockedArray<T>: @unchecked Sendable {
    private var storage: [T]
    private let lock = NSLock()
    init(count: Int, initial: T) { storage = Array(repeating: initial, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); storage[i] = v; lock.unlock() }
    var values: [T] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// Ends the process when one input runs past the time limit: a hang is a failure that no result
/// would ever report.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var started: [UInt64]
    private var indices: [Int]
    private var running = true
    private let timeout: Double
    private let reader: String

    init(workers: Int, timeout: Double, reader: String) {
        started = Array(repeating: 0, count: workers)
        indices = Array(repeating: -1, count: workers)
        self.timeout = timeout
        self.reader = reader
    }

    func begin(worker: Int, index: Int, at time: UInt64) { lock.lock(); started[worker] = time; indices[worker] = index; lock.unlock() }
    func end(worker: Int) { lock.lock(); started[worker] = 0; lock.unlock() }
    func stop() { lock.lock(); running = false; lock.unlock() }

    func start() {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                lock.lock()
                if !running { lock.unlock(); return }
                let now = DispatchTime.now().uptimeNanoseconds
                for w in started.indices where started[w] != 0 && Double(now - started[w]) / 1e9 > timeout {
                    print("fuzz \(reader) input \(indices[w]): still running after \(timeout) s (a hang; replay: --replay \(indices[w]) --readers \(reader) --seed \(Fuzz.seedUsed))")
                    exit(3)
                }
                lock.unlock()
            }
        }
        thread.start()
    }
}

extension GGUFWriter {
    /// A vocabulary-only GGUF with `tokenizer.ggml.model` = "llama" (SentencePiece pieces, scores and types).
    static func llama(_ proto: ModelProto) -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        func key(_ k: String, type: UInt32) { string(k); u32(type) }
        let stringType: UInt32 = 8, arrayType: UInt32 = 9, int32Type: UInt32 = 5, float32Type: UInt32 = 6, uint32Type: UInt32 = 4
        u32(3); u64(0); u64(5)
        key("tokenizer.ggml.model", type: stringType); string("llama")
        key("tokenizer.ggml.tokens", type: arrayType); u32(stringType); u64(UInt64(proto.pieces.count))
        for p in proto.pieces { string(p.piece ?? "") }
        key("tokenizer.ggml.scores", type: arrayType); u32(float32Type); u64(UInt64(proto.pieces.count))
        for p in proto.pieces { u32(p.scoreValue.bitPattern) }
        key("tokenizer.ggml.token_type", type: arrayType); u32(int32Type); u64(UInt64(proto.pieces.count))
        for p in proto.pieces { u32(UInt32(p.kind.rawValue)) }
        key("tokenizer.ggml.bos_token_id", type: uint32Type); u32(1)
        return out
    }
}
