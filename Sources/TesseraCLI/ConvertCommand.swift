// `tessera convert IN OUT --to FORMAT`: read a tokenizer in any format `TokenizerLoader` detects and write it
// in another through the `TokenizerWriters` registry, printing everything the target cannot carry.
// With --strict nothing is written when anything would be lost (exit status 1).

import ArgumentParser
import Foundation
import TesseraFormats
import TesseraTokenizer

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a tokenizer between formats, reporting anything the target cannot represent.",
        discussion: """
        Formats (--to): tiktoken (OUT is the .tiktoken file; the sidecar OUT.json is written beside it), \
        gpt2 (OUT is a folder: vocab.json, merges.txt, and encoding.json when needed), minbpe (OUT is the \
        .model file), tekken (OUT is the .json file), tokenizer.json (OUT is the file; byte-level tokenizers). \
        Rank-only sources (tiktoken, tekken) written as merge lists (gpt2, minbpe, tokenizer.json) get the merges recovered from their ranks, checked unless --no-verify. \
        The report lists each item as lost (ids or behaviour change), sidecar (kept only in Tessera's sidecar \
        JSON) or note.
        """)

    @Argument(help: "The tokenizer to read: a path (format detected) or a known name such as cl100k_base.")
    var input: String

    @Argument(help: "Where to write: a file, or a folder for --to gpt2.")
    var output: String

    @Option(name: .long, help: "Target format: tiktoken, gpt2, minbpe, tekken (tokenizer.json when the build has its writer).")
    var to: String

    @Flag(name: .long, help: "Write nothing and exit 1 when anything would be lost.")
    var strict = false

    @Flag(name: .customLong("no-verify"), help: "Skip checking that recovered merges rebuild every token.")
    var noVerify = false

    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        guard let writer = TokenizerWriters.writer(named: to) else {
            let available = TokenizerWriters.names.joined(separator: ", ")
            if let reason = TokenizerWriters.unavailable[to.lowercased()] {
                throw CLIError("--to \(to) is not available in this build: \(reason). Available formats: \(available)")
            }
            throw CLIError("--to \(to) is not a known format. Available formats: \(available)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        var options = WriteOptions(threads: threadOptions.count, verify: !noVerify)
        var sourceIssues: [ConversionIssue] = []
        let (tokenizer, sourceFormat) = try load(into: &options, issues: &sourceIssues, targetFormat: writer.format)
        let loadTime = clock.now - start

        var prepared: PreparedWrite
        do {
            prepared = try writer.prepare(tokenizer, for: output, options: options)
        } catch {
            throw CLIError("cannot write \(writer.format): \(error)")
        }
        prepared.report.issues.insert(contentsOf: sourceIssues, at: 0)
        let out = OutputBuffer()
        defer { out.flush() }
        out.write("\(tokenizer.name) (\(sourceFormat)) → \(output) (\(writer.format))\n")
        if strict && !prepared.report.isLossless {
            printIssues(prepared.report, to: out)
            out.flush()
            let lost = prepared.report.issues.filter { $0.severity == .lost }.count
            throw CLIError("--strict: \(lost) item(s) would be lost converting to \(writer.format); nothing was written")
        }
        do {
            try prepared.commit()
        } catch {
            throw CLIError("\(error)")
        }
        for file in prepared.report.files { out.write("  wrote \(file)\n") }
        printIssues(prepared.report, to: out)
        var timings = [("load", seconds(loadTime))] + prepared.report.timings.map { ($0.label, $0.seconds) }
        timings.append(("total", seconds(clock.now - start)))
        out.write("time: " + timings.map { "\($0.0) " + String(format: "%.3f s", $0.1) }.joined(separator: ", ") + "\n")
        let lost = prepared.report.issues.filter { $0.severity == .lost }.count
        out.write(lost == 0 ? "result: lossless\n" : "result: LOSSY (\(lost) item(s) lost; --strict refuses such conversions)\n")
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    func printIssues(_ report: ConversionReport, to out: OutputBuffer) {
        for issue in report.issues { out.write("  \(issue.severity.rawValue): \(issue.message)\n") }
    }

    /// Loads the input, gathering what a later write may need from the source format itself.
    func load(into options: inout WriteOptions, issues: inout [ConversionIssue], targetFormat: String) throws -> (Tokenizer, String) {
        do {
            if KnownEncoding.named(input) != nil {
                return (try TokenizerLoader.load(nameOrPath: input), "tiktoken")
            }
            let format = try TokenizerLoader.detect(input)
            switch format {
            case .tekken:
                let loaded = try TekkenLoader.loadDetailed(path: input)
                if targetFormat == "tekken" {
                    options.tekkenVersion = loaded.version
                    options.tekkenNonControl = loaded.nonControl
                }
                if loaded.unusedVocabEntries > 0 {
                    issues.append(ConversionIssue(.lost, "the source's \(loaded.unusedVocabEntries) vocab entries beyond "
                                                  + "default_vocab_size are not part of the tokenizer and are not written"))
                }
                if !loaded.otherSections.isEmpty {
                    issues.append(ConversionIssue(.lost, "the source's non-tokenizer sections (\(loaded.otherSections.joined(separator: ", "))) "
                                                  + "are not written"))
                }
                return (loaded.tokenizer, format.rawValue)
            case .gpt2VocabMerges:
                if targetFormat == "gpt2" { options.mergesHeader = try GPT2Loader.mergesHeader(path: input) }
                return (try TokenizerLoader.load(path: input), format.rawValue)
            default:
                return (try TokenizerLoader.load(path: input), format.rawValue)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot load tokenizer '\(input)': \(error)")
        }
    }
}
