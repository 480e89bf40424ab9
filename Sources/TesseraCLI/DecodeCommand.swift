// `tessera decode`: token ids → bytes, exactly.

import ArgumentParser
import Foundation
import TesseraBPE
import TesseraTokenizer

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode token ids (arguments, or whitespace/comma-separated on stdin) back to text.",
        discussion: """
        --utf8 raw (default) writes the exact bytes, even when they are not valid UTF-8; strict fails \
        on invalid UTF-8; replace substitutes U+FFFD.
        """)

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Option(name: .long, help: "UTF-8 handling: raw, strict, replace.")
    var utf8: UTF8Handling = .raw

    @Argument(help: "Token ids; none reads them from stdin.")
    var ids: [String] = []

    func run() throws {
        let tokenizer = try tokenizerOptions.load()
        let words: [String]
        if ids.isEmpty {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            words = input.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "," || $0 == "\r"
                || $0 == "[" || $0 == "]" }).map(String.init)
        } else {
            words = ids
        }
        var parsed: [TokenID] = []
        parsed.reserveCapacity(words.count)
        for (position, word) in words.enumerated() {
            guard let id = TokenID(word) else {
                throw CLIError("'\(word)' (item \(position + 1)) is not a token id; ids are non-negative integers below 2^32")
            }
            parsed.append(id)
        }
        let bytes: [UInt8]
        do { bytes = try tokenizer.decode(parsed) } catch let error as TokenizerError { throw CLIError(error.description) }
        let out = OutputBuffer()
        switch utf8 {
        case .raw:
            out.write(bytes: bytes)
        case .replace:
            out.write(String(decoding: bytes, as: UTF8.self))
        case .strict:
            if let bad = firstInvalidUTF8(bytes) {
                throw CLIError(TokenizerError.invalidUTF8InDecodedText(byteOffset: bad).description)
            }
            out.write(bytes: bytes)
        }
        out.flush()
    }

    func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        while i < bytes.count {
            let (scalar, length) = JSONText.decodeScalar(bytes, at: i)
            if scalar == nil { return i }
            i += length
        }
        return nil
    }
}

enum UTF8Handling: String, ExpressibleByArgument, CaseIterable {
    case raw, strict, replace
}
