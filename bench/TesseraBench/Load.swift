// `TesseraBench load --tokenizer PATH|NAME [--repeat R]`: load time of a tokenizer file (or a known name), split
// into its stages for tokenizer.json (read the bytes, parse the typed model, build the runtime tokenizer). One JSON
// line with the median and minimum of each stage over R runs (after one untimed warm-up run, which reads a cold
// file), plus `load_ms` / `median_load_ms` / `ids` for bench/encode_bench_sentencepiece.py. bench/load_bench.py
// runs it next to Hugging Face `tokenizers` in the same process tree.

import Foundation
import TesseraFormats
import TesseraTokenizer

enum Load {
    static func run(_ options: [String: String]) throws {
        guard let path = options["tokenizer"] else { Bench.usage() }
        let repeats = Int(options["repeat"] ?? "5") ?? 5
        let isJSON = FileManager.default.fileExists(atPath: path) && (try? TokenizerLoader.detect(path)) == .tokenizerJSON
        var read: [Double] = [], parse: [Double] = [], build: [Double] = [], total: [Double] = []
        var vocabulary = 0, ids = 0
        for run in 0...repeats {
            let t0 = Bench.now()
            var t1 = t0, t2 = t0
            let tokenizer: Tokenizer
            if isJSON {
                let bytes = try FileBytes.read(path)
                t1 = Bench.now()
                let json = try TokenizerJSONLoader.read(bytes: bytes, file: path)
                t2 = Bench.now()
                tokenizer = try TokenizerJSONLoader.build(json, file: path, name: "bench").tokenizer
            } else {
                tokenizer = try TokenizerLoader.load(nameOrPath: path)
            }
            let t3 = Bench.now()
            vocabulary = tokenizer.vocabulary.count
            ids = tokenizer.idUpperBound
            guard run > 0 else { continue }
            read.append((t1 - t0) * 1000)
            parse.append((t2 - t1) * 1000)
            build.append((t3 - t2) * 1000)
            total.append((t3 - t0) * 1000)
        }
        let fields: [(String, [Double])] = [("total", total), ("read", read), ("parse", parse), ("build", build)]
        var line = "{\"mode\":\"load\",\"engine\":\"tessera\",\"tokenizer\":\"\(path)\",\"vocabulary\":\(vocabulary),\"ids\":\(ids),\"repeat\":\(repeats)"
        for (name, xs) in fields {
            line += String(format: ",\"%@_ms_median\":%.2f,\"%@_ms_min\":%.2f", name, Bench.median(xs), name, xs.min() ?? 0)
        }
        line += ",\"load_ms\":[" + total.map { String(format: "%.4f", $0) }.joined(separator: ",") + "]"
        line += String(format: ",\"median_load_ms\":%.4f", Bench.median(total))
        print(line + ",\"peak_rss_mb\":" + String(format: "%.1f", Bench.peakRSSMB()) + "}")
    }
}

/// `TesseraBench write-json --tokenizer IN --output OUT [--from tokenizer|file]`: writes tokenizer.json with
/// `TokenizerJSONWriter` — the file's own typed model read and written back (`--from file`, the default for a
/// tokenizer.json), or a new file made from the loaded tokenizer (`--from tokenizer`, any input format).
/// bench/roundtrip_check.py compares the results with the inputs and with tokenizers / tiktoken.
enum WriteJSON {
    static func run(_ options: [String: String]) throws {
        guard let input = options["tokenizer"], let output = options["output"] else { Bench.usage() }
        let isJSON = (try? TokenizerLoader.detect(input)) == .tokenizerJSON
        let t0 = Bench.now()
        if options["from"] ?? (isJSON ? "file" : "tokenizer") == "file" {
            let json = try TokenizerJSONLoader.read(bytes: try FileBytes.read(input), file: input)
            try TokenizerJSONWriter.write(json, to: output)
        } else {
            try TokenizerJSONWriter.write(try TokenizerLoader.load(nameOrPath: input), to: output)
        }
        print(String(format: "{\"mode\":\"write-json\",\"input\":\"%@\",\"output\":\"%@\",\"ms\":%.1f}", input, output,
                     (Bench.now() - t0) * 1000))
    }
}
