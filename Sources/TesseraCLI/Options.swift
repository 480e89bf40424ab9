// Option groups shared by subcommands.

import ArgumentParser
import Foundation
import TesseraFormats
import TesseraTokenizer

struct TokenizerOptions: ParsableArguments {
    @Option(name: [.customShort("t"), .long],
            help: "Tokenizer name or file (o200k_base, cl100k_base, r50k_base, qwen, or a path).")
    var tokenizer: String = "o200k_base"

    func load() throws -> Tokenizer {
        do { return try TokenizerLoader.load(nameOrPath: tokenizer) } catch {
            throw CLIError("cannot load tokenizer '\(tokenizer)': \(error)")
        }
    }
}

struct SpecialOptions: ParsableArguments {
    @Flag(name: .long, help: "Encode special-token text (e.g. <|endoftext|>) as the special token.")
    var allowSpecial = false

    @Option(name: .long, help: "Special-token text policy: raise (default), allow, as-text.")
    var special: SpecialPolicyArgument?

    var policy: SpecialTokenPolicy {
        if let special { return special.policy }
        return allowSpecial ? .allow : .raise
    }

    func validate() throws {
        if allowSpecial, let special, special != .allow {
            throw ValidationError("--allow-special contradicts --special \(special.rawValue); pass only one of them")
        }
    }
}

enum SpecialPolicyArgument: String, ExpressibleByArgument, CaseIterable {
    case raise, allow, asText = "as-text"
    var policy: SpecialTokenPolicy {
        switch self { case .raise: .raise; case .allow: .allow; case .asText: .asText }
    }
}

struct ThreadOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: all cores). Results do not depend on it.")
    var threads: Int?

    var count: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }
}

/// An error with a message meant for the user; exits with status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
