// `TesseraBench stress`: the fuzz/stress run. Random and mutated inputs go through encode → decode for
// several real tokenizers (the round trip must be exact), and mutated vocabulary files go through every
// loader (each must load or throw a FormatError; a crash or hang fails the run by itself).
//
//   TesseraBench stress [--iterations 1000000] [--loader-iterations 100000] [--seed 1]
//
// Prints one JSON line per phase with counts of inputs, typed errors and failures; exits 1 on any failure.

import Foundation
import TesseraBPE
import TesseraFormats
import TesseraTokenizer

enum Stress {
    static func run(_ o: [String: String]) throws {
        let iterations = Int(o["iterations"] ?? "1000000") ?? 1_000_000
        let loaderIterations = Int(o["loader-iterations"] ?? "100000") ?? 100_000
        var rng = SplitMix64(seed: UInt64(o["seed"] ?? "1") ?? 1)
        let root = o["vocabularies"] ?? "vocabularies"
        var failures = 0
        failures += try encodeDecode(iterations: iterations, vocabularies: root, rng: &rng)
        failures += try loaders(iterations: loaderIterations, vocabularies: root, rng: &rng)
        if failures > 0 { exit(1) }
    }

    // MARK: encode / decode

    static func encodeDecode(iterations: Int, vocabularies root: String, rng: inout SplitMix64) throws -> Int {
        let tokenizers = [
            try TokenizerLoader.load(nameOrPath: "o200k_base"),
            try TokenizerLoader.load(path: root + "/cl100k_base.tiktoken"),
            try TokenizerLoader.load(path: root + "/r50k_base.tiktoken"),
            try TokenizerLoader.load(path: root + "/gpt2"),
            try TokenizerLoader.load(path: root + "/llama.cpp/ggml-vocab-llama-bpe.gguf"),
        ]
        let corpus = (try? FileBytes.read("corpora/demo/genesis-kjv.txt")) ?? Array("In the beginning".utf8)
        let fragments = ["a", "Z", " ", "  ", "\n", "\r\n", "\t", "'s", "'LL", "123", "4567", "é", "e\u{301}", "日本",
                         "🙂", "👩‍👩‍👧", "🇫🇷", "\u{A0}", "\u{3000}", "\u{2028}", "<|endoftext|>", "<|fim_prefix|>", "\t\"Well",
                         "ก", "ไม่", "Ж", "ß", "İ", "x/y", "...", "!!"].map { Array($0.utf8) }
        let specials = Array("<|endoftext|>".utf8)
        var failures = 0, typedErrors = 0, bytes = 0
        let start = Date()
        for i in 0..<iterations {
            var text: [UInt8]
            switch rng.next() % 4 {
            case 0:   // random bytes, mostly invalid UTF-8
                text = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1:   // tricky fragments
                text = (0..<Int(rng.next() % 24)).flatMap { _ in fragments[Int(rng.next() % UInt64(fragments.count))] }
            case 2:   // a slice of real text with mutations
                let a = Int(rng.next() % UInt64(corpus.count - 400))
                text = Array(corpus[a..<(a + Int(rng.next() % 400))])
                mutate(&text, rng: &rng, insertions: [specials] + fragments)
            default:  // long runs (heap path) now and then, short otherwise
                let unit = fragments[Int(rng.next() % UInt64(fragments.count))]
                let count = i % 1000 == 0 ? 20_000 : Int(rng.next() % 300)
                text = Array(repeatElement(unit, count: count).joined())
            }
            bytes += text.count
            let tokenizer = tokenizers[Int(rng.next() % UInt64(tokenizers.count))]
            let policy: SpecialTokenPolicy = [.raise, .allow, .asText][Int(rng.next() % 3)]
            do {
                let ids = try tokenizer.encode(text, specials: policy)
                let back = try tokenizer.decode(ids)
                if back != text {
                    failures += 1
                    if failures <= 5 { print("round trip failed: \(tokenizer.name) \(text)") }
                }
            } catch is TokenizerError {
                typedErrors += 1   // .raise on special-token text: expected and typed
            } catch {
                failures += 1
                print("untyped error: \(error)")
            }
        }
        Bench.emit([("phase", "encode-decode"), ("inputs", iterations), ("bytes", bytes), ("typed_errors", typedErrors),
                    ("failures", failures), ("seconds", Date().timeIntervalSince(start))])
        return failures
    }

    static func mutate(_ text: inout [UInt8], rng: inout SplitMix64, insertions: [[UInt8]]) {
        for _ in 0..<Int(rng.next() % 4) {
            let p = text.isEmpty ? 0 : Int(rng.next() % UInt64(text.count))
            switch rng.next() % 5 {
            case 0: if !text.isEmpty { text[p] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1: text.insert(contentsOf: insertions[Int(rng.next() % UInt64(insertions.count))], at: p)
            case 2: if !text.isEmpty { text.removeSubrange(p..<min(text.count, p + Int(rng.next() % 16) + 1)) }
            case 3: text = Array(text[..<p])
            default:
                if !text.isEmpty {
                    let q = min(text.count, p + Int(rng.next() % 64) + 1)
                    text.insert(contentsOf: text[p..<q], at: p)
                }
            }
        }
    }

    // MARK: loaders

    /// Small but real seed files in every format, derived from the committed GPT-2 vocabulary.
    static func seeds(vocabularies root: String, in folder: String) throws -> [(name: String, files: [(String, [UInt8])])] {
        let tokenCount = 256 + 600
        let r50k = try FileBytes.read(root + "/r50k_base.tiktoken")
        let tiktokenLines = r50k.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(tokenCount)
        let tiktoken = Array(tiktokenLines.joined(separator: [0x0A])) + [0x0A]
        let sidecar = Array(#"{"name": "stress", "pattern": "gpt2", "special_tokens": {"<|endoftext|>": 900}}"#.utf8)

        let vocabJSON = try JSONSerialization.jsonObject(with: Data(try FileBytes.read(root + "/gpt2/vocab.json"))) as? [String: Int] ?? [:]
        let kept = vocabJSON.filter { $0.value < tokenCount }
        let vocabData = try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])
        let mergesAll = try FileBytes.read(root + "/gpt2/merges.txt").split(separator: 0x0A, omittingEmptySubsequences: false)
        let mergeLines = Array(mergesAll.prefix(tokenCount - 256 + 1))   // "#version" header + merges
        let merges = Array(mergeLines.joined(separator: [0x0A])) + [0x0A]

        let mergeStrings = mergeLines.dropFirst().map { String(decoding: $0, as: UTF8.self) }
        let tokenizerJSON: [String: Any] = [
            "version": "1.0", "added_tokens": [], "normalizer": NSNull(),
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
            "post_processor": NSNull(), "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": kept, "merges": mergeStrings, "ignore_merges": false] as [String: Any],
        ]
        let tokenizerData = try JSONSerialization.data(withJSONObject: tokenizerJSON, options: [.sortedKeys])

        let tokens = kept.sorted { $0.value < $1.value }.map(\.key)
        let gguf = GGUFWriter.vocabulary(tokens: tokens, merges: mergeStrings, pre: "gpt-2")
        return [
            ("stress.tiktoken", [("stress.tiktoken", tiktoken), ("stress.tiktoken.json", sidecar)]),
            ("gpt2", [("vocab.json", Array(vocabData)), ("merges.txt", merges)]),
            ("tokenizer.json", [("tokenizer.json", Array(tokenizerData))]),
            ("stress.gguf", [("stress.gguf", gguf)]),
        ]
    }

    static func loaders(iterations: Int, vocabularies root: String, rng: inout SplitMix64) throws -> Int {
        let folder = NSTemporaryDirectory() + "tessera-stress-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let seeds = try seeds(vocabularies: root, in: folder)
        var failures = 0, loaded = 0, typedErrors = 0
        let start = Date()
        // Every unmutated seed must load and round-trip text.
        for (index, seed) in seeds.enumerated() {
            let dir = folder + "/seed\(index)"
            try write(seed.files, to: dir)
            let target = seed.name == "gpt2" ? dir : dir + "/" + seed.name
            do {
                let t = try TokenizerLoader.load(path: target)
                let text = Array("Hello world, stress test 123!".utf8)
                if try t.decode(t.encode(text, specials: .asText)) != text { failures += 1; print("seed \(seed.name) round trip failed") }
            } catch { failures += 1; print("seed \(seed.name) does not load: \(error)") }
        }
        let junk = [Array("{".utf8), Array("\"".utf8), [0xFF, 0xFE], Array("\n".utf8), Array(" 999999999999".utf8), Array("GGUF".utf8),
                    [0, 0, 0, 0, 0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]]
        for i in 0..<iterations {
            let seed = seeds[i % seeds.count]
            var files = seed.files
            let which = Int(rng.next() % UInt64(files.count))
            mutate(&files[which].1, rng: &rng, insertions: junk)
            if rng.next() % 8 == 0 { mutate(&files[which].1, rng: &rng, insertions: junk) }
            let dir = folder + "/m\(i % 64)"
            try write(files, to: dir)
            let target = seed.name == "gpt2" ? dir : dir + "/" + seed.name
            do {
                let t = try TokenizerLoader.load(path: target)
                loaded += 1
                // A mutation may have produced a valid file with a normalizer (e.g. add_prefix_space):
                // the contract is decode(encode(x)) == normalize(x).
                let text = Array("Stress: 日本 ok\n".utf8)
                let expected = try t.normalizer?.normalizedBytes(text) ?? text
                if try t.decode(t.encode(text, specials: .asText)) != expected {
                    failures += 1
                    let keep = "bench/out/stress-failure-\(failures)"
                    try? write(files, to: keep)
                    print("mutated \(seed.name) loaded but does not round-trip (files kept in \(keep))")
                }
            } catch is FormatError {
                typedErrors += 1
            } catch {
                failures += 1
                if failures <= 5 { print("untyped loader error (\(seed.name)): \(type(of: error)) \(error)") }
            }
        }
        Bench.emit([("phase", "loaders"), ("inputs", iterations), ("loaded", loaded), ("typed_errors", typedErrors),
                    ("failures", failures), ("seconds", Date().timeIntervalSince(start))])
        return failures
    }

    static func write(_ files: [(String, [UInt8])], to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, bytes) in files {
            FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes))
        }
    }
}

/// Writes a minimal GGUF v3 file holding only tokenizer metadata (no tensors), for the loader stress run.
enum GGUFWriter {
    static func vocabulary(tokens: [String], merges: [String], pre: String) -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        func key(_ k: String, type: UInt32) { string(k); u32(type) }
        let stringType: UInt32 = 8, arrayType: UInt32 = 9, int32Type: UInt32 = 5
        u32(3)       // version
        u64(0)       // tensors
        u64(5)       // key/value pairs
        key("tokenizer.ggml.model", type: stringType); string("gpt2")
        key("tokenizer.ggml.pre", type: stringType); string(pre)
        key("tokenizer.ggml.tokens", type: arrayType); u32(stringType); u64(UInt64(tokens.count)); tokens.forEach(string)
        key("tokenizer.ggml.merges", type: arrayType); u32(stringType); u64(UInt64(merges.count)); merges.forEach(string)
        key("tokenizer.ggml.token_type", type: arrayType); u32(int32Type); u64(UInt64(tokens.count))
        for _ in tokens { u32(1) }
        return out
    }
}
