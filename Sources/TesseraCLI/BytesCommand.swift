// `tessera bytes`: exact byte-level probabilities from tokenized models (TesseraByteLevel) — the next-byte
// distribution after any byte prompt (even one that ends inside a token), byte-by-byte sampling, scoring
// a file in bits/byte, and ensembles of models with different tokenizers.

import ArgumentParser
import Foundation
import TesseraByteLevel
import TesseraFormats
import TesseraTokenizer
import TesseraTransformer

struct BytesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bytes",
        abstract: "Exact byte-level probabilities from tokenized models: next, sample, score, cut.",
        discussion: """
        Models are `tessera lm train` checkpoints. The model's start of text is the token of --bos-text \
        (default a newline, which starts every line the models saw in training). --ensemble M1,M2 averages \
        the next-byte distributions of models with different tokenizers (--tokenizer T1,T2, or the ones the \
        checkpoints name).
        """,
        subcommands: [BytesNextCommand.self, BytesSampleCommand.self, BytesScoreCommand.self, BytesCutCommand.self])
}

/// One model with its tokenizer and special ids.
struct ByteMember {
    let model: GPTModel
    let tokenizer: ByteLevelTokenizer
    let bos: UInt32
    let eos: UInt32?
}

struct BytesModelOptions: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: "Checkpoint (.safetensors).") var model: String?
    @Option(name: .long, help: "Comma-separated checkpoints whose byte distributions are averaged.") var ensemble: String?
    @Option(name: [.customShort("t"), .long], help: "Tokenizer (comma-separated, one per --ensemble model; default: the checkpoint's).")
    var tokenizer: String?
    @Option(name: .long, help: "exact (validity mask) or fast (no mask).") var mode: String = "exact"
    @Option(name: .long, help: "Text whose single token starts every model prefix.") var bosText: String = "\n"
    @Option(name: .long, help: "Start-of-text id (overrides --bos-text).") var bos: Int?
    @Option(name: .long, help: "End-of-text id, when the model has one.") var eos: Int?
    @Option(name: .long, help: "Beam approximation of width K instead of exact covers (0: exact).") var beam = 0
    @Option(name: .long, help: "Beam: drop hypotheses lighter than this share of the best.") var beamThreshold = 0.05
    @Option(name: .long, help: "OpenBLAS threads.") var threads = 1

    var byteMode: ByteLevelMode {
        get throws {
            guard let m = ByteLevelMode(rawValue: mode) else { throw CLIError("--mode must be exact or fast, not '\(mode)'") }
            return m
        }
    }

    func members() throws -> [ByteMember] {
        let paths: [String]
        switch (model, ensemble) {
        case (let m?, nil): paths = [m]
        case (nil, let e?): paths = e.split(separator: ",").map(String.init)
        case (nil, nil): throw CLIError("give --model M or --ensemble M1,M2")
        default: throw CLIError("give either --model or --ensemble, not both")
        }
        let tokenizers = tokenizer.map { $0.split(separator: ",").map(String.init) }
        if let tokenizers, tokenizers.count != paths.count {
            throw CLIError("\(paths.count) model(s) but \(tokenizers.count) tokenizer(s). Fix: one --tokenizer per model, comma-separated")
        }
        return try paths.enumerated().map { i, path in
            let m = try GPTModel.load(from: path, backend: CPUBackend(threads: max(threads, 1)))
            guard let name = tokenizers?[i] ?? m.info["tokenizer"] else {
                throw CLIError("\(path) does not name its tokenizer. Fix: pass --tokenizer")
            }
            let tok: ByteLevelTokenizer
            do { tok = try ByteLevelTokenizer(try TokenizerLoader.load(nameOrPath: name)) } catch let e as ByteLevelError {
                throw CLIError("\(e)")
            } catch { throw CLIError("cannot load tokenizer '\(name)': \(error)") }
            let V = m.config.vocabularySize
            let bosID: UInt32
            if let bos { bosID = UInt32(clamping: bos) } else {
                let ids = tok.encode(Array(bosText.utf8))
                guard ids.count == 1 else {
                    throw CLIError("--bos-text \(bosText.debugDescription) is \(ids.count) tokens in '\(name)'. Fix: a text of one token, or --bos ID")
                }
                bosID = ids[0]
            }
            // The model must predict over exactly the tokenizer's ids (plus any special ids given here).
            let expected = max(tok.idUpperBound, Int(bosID) + 1, (eos ?? -1) + 1)
            guard V == expected || (V >= tok.table.count && V <= expected) else {
                throw CLIError("\(ByteLevelError.vocabularyMismatch(tokenizer: name, tokenizerIDs: tok.idUpperBound, modelIDs: V)) (\(path))")
            }
            return ByteMember(model: m, tokenizer: tok, bos: bosID, eos: eos.map { UInt32(clamping: $0) })
        }
    }

    /// A source over all members, conditioned on `prompt`.
    func source(_ members: [ByteMember], prompt: [UInt8], conditioning: PromptConditioning = .exact) throws -> any ByteSource {
        let mode = try byteMode
        let sources: [any ByteSource] = try members.map { m in
            if beam > 0 {
                let b = try BeamByteStream(model: m.model, tokenizer: m.tokenizer, bos: m.bos, eos: m.eos,
                                           options: BeamOptions(width: beam, threshold: beamThreshold))
                for x in prompt { try b.feed(x) }
                return b
            }
            return try conditioning.source(prompt: prompt, model: m.model, tokenizer: m.tokenizer, bos: m.bos, eos: m.eos, mode: mode)
        }
        return sources.count == 1 ? sources[0] : try ByteEnsemble(sources)
    }
}

/// The prompt: text, or the raw bytes of a file (which may end inside a UTF-8 character).
struct BytesPromptOptions: ParsableArguments {
    @Option(name: .long, help: "Prompt text (may be empty).") var prompt: String?
    @Option(name: .long, help: "Prompt bytes from a file (may end inside a character).") var promptFile: String?

    func bytes() throws -> [UInt8] {
        switch (prompt, promptFile) {
        case (let p?, nil): return Array(p.utf8)
        case (nil, let f?):
            do { return try FileBytes.read(f) } catch { throw CLIError("--prompt-file: \(error)") }
        case (nil, nil): return []
        default: throw CLIError("give --prompt or --prompt-file, not both")
        }
    }
}

/// Runs `body`, turning byte-level errors into CLI errors.
func bytesErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ByteLevelError { throw CLIError("\(e)") }
}

func describeOutcome(_ o: Int) -> String {
    if o == NextByteDistribution.end { return "<end>" }
    let b = UInt8(o)
    let shown: String
    switch b {
    case 0x20...0x7E: shown = String(UnicodeScalar(b))
    case 0x0A: shown = "\\n"
    case 0x09: shown = "\\t"
    default: shown = "·"
    }
    return String(format: "%@  0x%02X", "'" + shown + "'", o)
}

struct BytesNextCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "next",
        abstract: "The most probable next bytes after a prompt (which may end inside a token or character).")
    @OptionGroup var options: BytesModelOptions
    @OptionGroup var prompt: BytesPromptOptions
    @Option(name: .long, help: "exact (byte-level), naive (prompt tokens) or healing (token healing).") var conditioning = "exact"
    @Option(name: .long, help: "How many outcomes to list.") var top = 10

    func run() throws {
        guard let method = PromptConditioning(rawValue: conditioning) else {
            throw CLIError("--conditioning must be exact, naive or healing, not '\(conditioning)'")
        }
        let members = try options.members()
        let start = Date()
        let (d, calls) = try bytesErrors {
            let s = try options.source(members, prompt: try prompt.bytes(), conditioning: method)
            return (try s.distribution(), s.statistics.calls)
        }
        let out = OutputBuffer()
        for (o, p) in d.top(max(top, 1)) { out.write(String(format: "%.6f  %@\n", p, describeOutcome(o))) }
        FileHandle.standardError.write(Data(String(format: "bytes next: %d model calls, %.3f s, leaked mass %.2e\n",
                                                   calls, Date().timeIntervalSince(start), d.leakedMass).utf8))
    }
}

struct BytesSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample",
        abstract: "Continue a prompt byte by byte (one model call per byte in steady state).")
    @OptionGroup var options: BytesModelOptions
    @OptionGroup var prompt: BytesPromptOptions
    @Option(name: .long, help: "Bytes to generate at most.") var maxBytes = 200
    @Option(name: .long, help: "Temperature in probability space (0: greedy).") var temperature = 0.6
    @Option(name: .long, help: "Nucleus probability.") var topP = 1.0
    @Option(name: .long, help: "Seed.") var seed: UInt64 = 1

    func run() throws {
        let members = try options.members()
        let opts = ByteSamplingOptions(temperature: temperature, topP: topP, maxBytes: maxBytes, seed: seed)
        let promptBytes = try prompt.bytes()
        let result = try bytesErrors {
            try opts.validate()
            let s = try options.source(members, prompt: promptBytes)
            return try ByteSampler.sample(s, options: opts)
        }
        let out = OutputBuffer()
        out.write(bytes: promptBytes + result.bytes)
        out.write("\n")
        let n = max(result.bytes.count, 1)
        FileHandle.standardError.write(Data(String(format: "bytes sample: %d bytes%@, %d model calls (%.2f per byte), %.3f s (%.1f bytes/s)\n",
            result.bytes.count, result.ended ? " then <end>" : "", result.calls, Double(result.calls) / Double(n),
            result.seconds, Double(result.bytes.count) / max(result.seconds, 1e-9)).utf8))
    }
}

/// Records each ensemble member's probability of the fed byte alongside the ensemble's.
final class MemberRecorder {
    var logProbabilities: [[Double]]
    init(members: Int) { logProbabilities = Array(repeating: [], count: members) }
}

final class RecordingEnsemble: ByteSource {
    let ensemble: ByteEnsemble
    let recorder: MemberRecorder
    init(_ ensemble: ByteEnsemble, recorder: MemberRecorder) { self.ensemble = ensemble; self.recorder = recorder }
    func distribution() throws -> NextByteDistribution { try ensemble.distribution() }
    func feed(_ byte: UInt8) throws {
        for (i, d) in ensemble.lastMemberDistributions.enumerated() {
            recorder.logProbabilities[i].append(log(d.probabilities[Int(byte)]))
        }
        try ensemble.feed(byte)
    }
    var statistics: LMCallStatistics { ensemble.statistics }
}

struct BytesScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score",
        abstract: "Byte-level log-likelihood and bits/byte of a file (per member too, for an ensemble).")
    @OptionGroup var options: BytesModelOptions
    @Argument(help: "Text file.") var file: String
    @Option(name: .long, help: "Score only the first N bytes (0: all).") var limit = 0
    @Option(name: .long, help: "Rebuild the byte state every N bytes…") var window = 192
    @Option(name: .long, help: "…conditioned on the last N bytes.") var overlap = 128
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
        var text = try InputItem(name: file, byteCount: nil).read()
        if limit > 0 && text.count > limit { text = Array(text[..<limit]) }
        guard !text.isEmpty else { throw CLIError("\(ByteLevelError.emptyInput(file))") }
        let members = try options.members()
        let recorder = MemberRecorder(members: members.count)
        let score = try bytesErrors {
            try ByteSampler.scoreWindowed(text, window: window, overlap: overlap) { prompt in
                let s = try options.source(members, prompt: prompt)
                if let e = s as? ByteEnsemble { return RecordingEnsemble(e, recorder: recorder) }
                return s
            }
        }
        let bpb = { (lp: [Double]) in -lp.reduce(0, +) / Double(max(lp.count, 1)) / log(2) }
        let names = (options.ensemble ?? options.model ?? "").split(separator: ",").map(String.init)
        let out = OutputBuffer()
        var perMember: [(String, Double)] = []
        if members.count > 1 { perMember = zip(names, recorder.logProbabilities).map { ($0, bpb($1)) } }
        if json {
            let members = perMember.map { "{\"model\": \"\($0.0)\", \"bits_per_byte\": \($0.1)}" }.joined(separator: ", ")
            out.write("{\"bytes\": \(text.count), \"log_likelihood\": \(score.logLikelihood), \"bits_per_byte\": \(score.bitsPerByte), "
                      + "\"calls\": \(score.calls), \"seconds\": \(score.seconds), \"members\": [\(members)]}\n")
        } else {
            out.write(String(format: "%d bytes: log-likelihood %.3f nats, %.4f bits/byte\n", text.count, score.logLikelihood, score.bitsPerByte))
            for (name, b) in perMember { out.write(String(format: "  member %@: %.4f bits/byte\n", name, b)) }
        }
        FileHandle.standardError.write(Data(String(format: "bytes score: %d model calls (%.2f per byte), %.1f s (%.1f bytes/s)\n",
            score.calls, Double(score.calls) / Double(text.count), score.seconds, Double(text.count) / max(score.seconds, 1e-9)).utf8))
    }
}
