// Golden tests for tokenizer.json against Hugging Face tokenizers (oracles in corpora/golden/tokenizer-json/,
// written by scripts/make-hf-golden.py with tokenizers 0.23.3): ids with and without add_special_tokens and with
// special tokens as text, decode, streaming decode — for four whole files and for one small model under every
// normalizer, pre-tokenizer, decoder, post-processor and model option variant. Also: read → write gives the
// file tokenizers saved byte for byte, and read → write → read gives the same model and ids.

import Foundation
import Testing
@testable import TesseraFormats
import TesseraBPE
import TesseraTestSupport
import TesseraTokenizer

/// The golden oracle of one tokenizer: per text, what tokenizers returned.
struct GoldenCase {
    var text: String
    var ids: [TokenID]
    var idsWithSpecialTokens: [TokenID]
    var idsSpecialsAsText: [TokenID]
    var decoded: String??      // nil: not recorded; .some(nil): tokenizers failed (panicked)
    var stream: [String]??

    static func parse(_ cases: JSONValue?, texts: [String]) throws -> [GoldenCase] {
        guard case .array(let list)? = cases else { throw Golden.Malformed(what: "cases") }
        return zip(texts, list).map { text, c in
            let ids = c["ids"].ids ?? []
            return GoldenCase(text: text, ids: ids, idsWithSpecialTokens: c["ids_with_special_tokens"].ids ?? ids,
                              idsSpecialsAsText: c["ids_specials_as_text"].ids ?? ids,
                              decoded: c["decoded"].map { $0.string }, stream: c["stream"].map { $0.strings })
        }
    }
}

extension Optional<JSONValue> {
    var ids: [TokenID]? {
        guard case .array(let a)? = self else { return nil }
        return a.compactMap { if case .integer(let i) = $0 { return TokenID(i) } else { return nil } }
    }
}

extension JSONValue {
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var strings: [String]? {
        guard case .array(let a) = self else { return nil }
        return a.compactMap(\.string)
    }
}

/// Golden files are read with Tessera's own JSON reader: Foundation's JSONSerialization drops a U+FEFF that
/// starts a string, which some oracles contain.
enum Golden {
    static let folder = Fixtures.golden("tokenizer-json")

    struct Malformed: Error { var what: String }

    static func object(_ name: String) throws -> JSONValue {
        try FastJSON.decode(JSONValue.self, from: try FileBytes.read(folder.appendingPathComponent(name).path))
    }

    /// Checks every case of `cases` on `tokenizer`; `label` names the tokenizer in failures.
    static func check(_ tokenizer: Tokenizer, _ cases: [GoldenCase], label: String) throws {
        for c in cases {
            let bytes = Array(c.text.utf8)
            #expect(try tokenizer.encode(bytes, specials: .allow) == c.ids, "\(label): \(c.text.debugDescription)")
            #expect(try tokenizer.encode(bytes, specials: .allow, addSpecialTokens: true) == c.idsWithSpecialTokens,
                    "\(label) with special tokens: \(c.text.debugDescription)")
            #expect(try tokenizer.encode(bytes, specials: .asText) == c.idsSpecialsAsText,
                    "\(label) specials as text: \(c.text.debugDescription)")
            // Offsets are contiguous, in order, and the ids match plain encoding.
            let encoding = try tokenizer.encodeWithOffsets(bytes, specials: .allow)
            #expect(encoding.ids == c.ids, "\(label) offsets path: \(c.text.debugDescription)")
            #expect(zip(encoding.offsets, encoding.offsets.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound || $0.isEmpty || $1.isEmpty },
                    "\(label) offsets overlap: \(c.text.debugDescription)")
            if case .some(let expected) = c.decoded {
                let decoded = String(decoding: try tokenizer.decode(c.ids), as: UTF8.self)
                if let expected { #expect(decoded == expected, "\(label) decode: \(c.text.debugDescription)") }
            }
            if case .some(let expected) = c.stream {
                var stream = StreamingDecoder(tokenizer: tokenizer)
                if let expected {
                    let steps = try c.ids.map { try stream.push($0) }
                    #expect(steps == expected, "\(label) stream: \(c.text.debugDescription)")
                } else {
                    // tokenizers failed here (a prefix mismatch or a panic); Tessera must fail cleanly or finish.
                    _ = try? c.ids.map { try stream.push($0) }
                }
            }
        }
    }
}

@Suite struct TokenizerJSONGoldenTests {
    static let files = ["bytelevel-added", "llama2-legacy", "llama2-metaspace", "bert-bpe", "unigram-precompiled", "bert-wordpiece", "wordlevel"]

    @Test(arguments: files)
    func wholeFilesGiveTokenizersIDs(_ name: String) throws {
        let report = try Golden.object("cases.json")
        #expect(report["tool_version"]?.string == "0.23.3")
        let texts = try #require(report["texts"]?.strings)
        let cases = try GoldenCase.parse(report["tokenizers"]?[name], texts: texts)
        #expect(cases.count == texts.count)
        let tokenizer = try TokenizerJSONLoader.load(path: Golden.folder.appendingPathComponent("\(name).json").path)
        try Golden.check(tokenizer, cases, label: name)
    }

    @Test(arguments: files)
    func writingAnUnmodifiedFileGivesTokenizersBytes(_ name: String) throws {
        let original = try FileBytes.read(Golden.folder.appendingPathComponent("\(name).json").path)
        let json = try TokenizerJSON.read(original)
        let written = try json.write()
        #expect(written == original, "\(name): \(String(decoding: written.prefix(200), as: UTF8.self))")
        // And the compact form reads back to the same model.
        #expect(try TokenizerJSON.read(try json.write(pretty: false)) == json)
    }

    @Test func everyComponentVariantGivesTokenizersIDs() throws {
        let suite = try Golden.object("components.json")
        let texts = try #require(suite["texts"]?.strings)
        guard case .object(let base)? = suite["base"], case .array(let variants)? = suite["variants"] else {
            throw Golden.Malformed(what: "components.json")
        }
        #expect(variants.count > 50)
        for variant in variants {
            let name = try #require(variant["name"]?.string)
            var members = base
            for (i, member) in members.enumerated() {
                if let replacement = variant[member.key] { members[i].value = replacement }
            }
            let bytes = try FastJSONEncoding.encode(JSONValue.object(members))
            let loaded = try TokenizerJSONLoader.load(bytes: bytes, file: name, name: name)
            let cases = try GoldenCase.parse(variant["cases"], texts: texts)
            try Golden.check(loaded.tokenizer, cases, label: name)
            // Round trip through the writer: same JSON model and same ids.
            let again = try TokenizerJSONLoader.load(bytes: try loaded.json.write(), file: name, name: name)
            #expect(again.json == loaded.json, "\(name): read → write → read changed the model")
            for c in cases.prefix(12) {
                #expect(try again.tokenizer.encode(Array(c.text.utf8), specials: .allow) == c.ids, "\(name) after round trip")
            }
        }
    }
}
