// `TesseraBench stress`: random and mutated texts go through encode → decode for several real
// tokenizers (the round trip must be exact; a crash or hang fails the run by itself). Mutated
// vocabulary files are `TesseraBench fuzz` (Fuzz.swift).
//
//   TesseraBench stress [--iterations 1000000] [--seed 1]
//
// Prints one JSON line per phase with counts of inputs, typed errors and failures; exits 1 on any failure.

import Foundation
import TesseraBPE
import TesseraFormats
import TesseraTokenizer

enum Stress {
    static func run(_ o: [String: String]) throws {
        let iterations = Int(o["iterations"] ?? "1000000") ?? 1_000_000
        var rng = SplitMix64(seed: UInt64(o["seed"] ?? "1") ?? 1)
        let root = o["vocabularies"] ?? "vocabularies"
        var failures = 0
        failures += try encodeDecode(iterations: iterations, vocabularies: root, rng: &rng)
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
}

/// Writes a minimal GGUF v3 file holding only tokenizer metadata (no tensors), for the fuzz seeds.
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
