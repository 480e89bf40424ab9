// `tessera premium`: token premiums of several tokenizers over a parallel corpus, written as a report
// folder (premiums.csv, premiums.json, premiums.svg, report.md). `tessera premium optimize` is the
// per-language vocabulary-size procedure (OptimizeCommand.swift).

import ArgumentParser
import Foundation
import Synchronization
import TesseraAnalysis
import TesseraFormats
import TesseraTokenizer

struct PremiumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "premium",
        abstract: "Token premiums of tokenizers over a parallel corpus (FLORES layout, aligned files or pair files), with a chart.",
        discussion: """
        CORPUS is a FLORES folder (dev/ and devtest/ with <code>.<split> files), a folder of aligned files \
        (one per language, same line count), or --pairs FILE... with reference<TAB>translation lines. \
        --convention joined (default) encodes each language as one text: every file's lines joined by single \
        spaces (Petrov et al.'s convention, which the published FLORES figures use); lines encodes each \
        sentence alone and also reports sentence-level parity.
        """,
        subcommands: [PremiumRunCommand.self, OptimizeCommand.self],
        defaultSubcommand: PremiumRunCommand.self)
}

struct PremiumRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Compute premiums and write the report (the default).")

    @Argument(help: "The parallel corpus folder (omit with --pairs).")
    var corpus: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Pair files (reference<TAB>translation), instead of a corpus folder.")
    var pairs: [String] = []

    @Option(name: [.customShort("t"), .long], parsing: .upToNextOption,
            help: "Tokenizers (names or paths); several give side-by-side columns. Default: r50k_base cl100k_base o200k_base.")
    var tokenizers: [String] = []

    @Option(name: .long, help: "Reference language code.")
    var reference: String = "eng_Latn"

    @Option(name: .long, help: "Text convention: joined or lines.")
    var convention: TextConventionArgument = .joined

    @Option(name: .long, parsing: .upToNextOption, help: "Split folders of a FLORES corpus, in order.")
    var splits: [String] = ["dev", "devtest"]

    @Option(name: .long, help: "TSV with code<TAB>name[<TAB>family] to label languages.")
    var languageMap: String?

    @Option(name: .long, help: "Group rows by script or family (family needs --language-map).")
    var groupBy: PremiumGroupingArgument?

    @Option(name: [.customShort("o"), .long], help: "Report folder.")
    var output: String = "premium-report"

    @Option(name: .long, help: "Chart title.")
    var title: String?

    @Flag(name: .long, help: "Print the table as JSON on stdout instead of the summary.")
    var json = false

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if corpus == nil && pairs.isEmpty { throw ValidationError("give a corpus folder or --pairs files") }
        if corpus != nil && !pairs.isEmpty { throw ValidationError("give either a corpus folder or --pairs, not both") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let names = tokenizers.isEmpty ? ["r50k_base", "cl100k_base", "o200k_base"] : tokenizers
        let loaded = try names.map { name -> (name: String, tokenizer: Tokenizer) in
            do {
                let t = try TokenizerLoader.load(nameOrPath: name)
                return (t.name, t)
            } catch {
                throw CLIError("cannot load tokenizer '\(name)': \(error)")
            }
        }
        var map: [String: (name: String?, family: String?)] = [:]
        if let languageMap {
            do { map = try TokenPremiums.languageMap(FileBytes.read(languageMap), file: languageMap) } catch { throw CLIError("\(error)") }
        }
        var table: PremiumTable
        let progress = PremiumProgress()
        do {
            if let corpus {
                let parallel = try ParallelCorpus.read(folder: corpus, splits: splits)
                table = try TokenPremiums.compute(corpus: parallel, tokenizers: loaded, reference: reference,
                                                  convention: convention.value, names: map, threads: threadOptions.count,
                                                  progress: progress.report)
            } else {
                let (translations, references) = try ParallelCorpus.read(pairFiles: pairs, referenceCode: reference)
                table = try TokenPremiums.compute(corpus: translations, tokenizers: loaded, reference: reference, references: references,
                                                  convention: convention.value, names: map, threads: threadOptions.count,
                                                  progress: progress.report)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        progress.finish()
        if let groupBy { table.group(by: groupBy.value) }
        let command = (["tessera"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let heading = title ?? "Token premiums relative to \(reference)"
        let files: [String]
        do { files = try PremiumReport.write(table, to: output, title: heading, command: command) } catch {
            throw CLIError("cannot write the report to \(output): \(error)")
        }
        let out = OutputBuffer()
        if json {
            out.write(PremiumReport.json(table))
        } else {
            out.write("\(table.rows.count) languages × \(table.tokenizers.count) tokenizers, reference \(reference), ")
            out.write(String(format: "%.2f s\n", Double((clock.now - start).components.seconds) + Double((clock.now - start).components.attoseconds) / 1e18))
            for (k, name) in table.tokenizers.enumerated() {
                let s = table.spread(tokenizer: k)
                out.write(String(format: "  %@: max %.2f (%@), min %.2f (%@), max/min %.2f, CV %.3f\n", name, s.max, s.maxCode, s.min, s.minCode,
                                 s.ratio, s.cv))
            }
            for f in files { out.write("  wrote \(f)\n") }
        }
        out.flush()
    }
}

enum PremiumGroupingArgument: String, ExpressibleByArgument, CaseIterable {
    case script, family
    var value: PremiumGrouping { self == .script ? .script : .family }
}

/// "premiums: done / total" on stderr while jobs finish, on a terminal and after a second.
final class PremiumProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date()
    private var shown = false
    private let enabled = isatty(2) == 1

    func report(_ done: Int, _ total: Int) {
        guard enabled, Date().timeIntervalSince(start) > 1 else { return }
        lock.lock()
        defer { lock.unlock() }
        shown = true
        FileHandle.standardError.write(Data("\rpremiums: \(done) / \(total) language × tokenizer jobs".utf8))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

enum TextConventionArgument: String, ExpressibleByArgument, CaseIterable {
    case joined, lines
    var value: TextConvention { self == .joined ? .joined : .lines }
}
