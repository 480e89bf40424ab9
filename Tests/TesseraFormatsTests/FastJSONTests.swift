// The JSON layer of the tokenizer.json model: strict reading (serde_json's rules), serde_json-style writing, and
// interoperation with Foundation's JSONDecoder / JSONEncoder (the typed model is ordinary `Codable`).

import Foundation
import Testing
@testable import TesseraFormats
import TesseraTestSupport

@Suite struct FastJSONTests {
    static func value(_ text: String) throws -> JSONValue { try FastJSON.decode(JSONValue.self, from: Array(text.utf8)) }

    @Test func readsValuesStrictly() throws {
        let v = try Self.value(#" {"a": [1, -2, 3.5, 1e3, -0.0, true, false, null], "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é", "o": {}} "#)
        #expect(v["a"] == .array([.integer(1), .integer(-2), .double(3.5), .double(1000), .double(-0.0), .bool(true), .bool(false), .null]))
        #expect(v["s"] == .string("x\"\\/\u{8}\u{C}\n\r\té\u{1F600}é"))
        #expect(v["o"] == .object([]))
        // Members keep document order; a repeated key keeps its last value.
        #expect(try Self.value(#"{"b": 1, "a": 2, "b": 3}"#) == .object([JSONMember(key: "a", value: .integer(2)), JSONMember(key: "b", value: .integer(3))]))
    }

    @Test(arguments: [
        (#"[1, 2,]"#, "expected a value"), (#"{"a": 1,}"#, "expected a string"), ("[\"a\u{1}\"]", "control character"),
        (#"["\ud800"]"#, "surrogate"), (#"["\udc00x"]"#, "surrogate"), (#"["\q"]"#, "invalid escape"), ("[01]", "','"),
        ("[1.]", "decimal point"), ("[1e]", "exponent"), (#"{"a" 1}"#, "':'"), ("[tru]", "true"), (#"{"a": [1, 2}"#, "']'"),
        (#"["abc"#, "unterminated"), ("", "expected a value"), ("[1] x", "after the top-level value"),
    ])
    func rejectsMalformedJSON(_ text: String, _ problem: String) {
        do {
            _ = try Self.value(text)
            Issue.record("accepted \(text.debugDescription)")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains(problem), "\(text.debugDescription): \(context.debugDescription)")
            #expect(context.debugDescription.contains("byte offset"))
        } catch {
            Issue.record("\(text.debugDescription): unexpected \(error)")
        }
    }

    @Test func refusesDeepNestingInsteadOfCrashing() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: DecodingError.self) { try Self.value(deep) }
        let deepTokenizer = #"{"model": {"vocab": {}, "merges": []}, "normalizer": "# + String(repeating: #"{"type": "Sequence", "normalizers": ["#, count: 5_000)
            + String(repeating: "]}", count: 5_000) + "}"
        #expect(throws: DecodingError.self) { try TokenizerJSON.read(Array(deepTokenizer.utf8)) }
        #expect(try Self.value(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) != .null)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: DecodingError.self) { try FastJSON.decode(JSONValue.self, from: [0x5B, 0x22, 0xC3, 0x28, 0x22, 0x5D]) }
        #expect(throws: DecodingError.self) { try FastJSON.decode(JSONValue.self, from: [0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D]) }
    }

    @Test func writesLikeSerdeJSON() throws {
        let v = JSONValue.object([
            JSONMember(key: "s", value: .string("a\"b\\c/\u{1}\u{1F}\u{7F}\n\té😀")),
            JSONMember(key: "n", value: .array([.integer(-3), .double(0.1), .double(1e-7), .double(2.5e21), .double(1)])),
            JSONMember(key: "e", value: .array([])), JSONMember(key: "o", value: .object([])), JSONMember(key: "z", value: .null),
        ])
        let compact = String(decoding: try FastJSONEncoding.encode(v, pretty: false), as: UTF8.self)
        #expect(compact == #"{"s":"a\"b\\c/\u0001\u001f"# + "\u{7F}" + #"\n\té😀","n":[-3,0.1,1e-7,2.5e21,1.0],"e":[],"o":{},"z":null}"#)
        let pretty = String(decoding: try FastJSONEncoding.encode(JSONValue.object([JSONMember(key: "a", value: .array([.integer(1), .object([JSONMember(key: "b", value: .bool(true))])])), JSONMember(key: "c", value: .array([]))]), pretty: true), as: UTF8.self)
        #expect(pretty == "{\n  \"a\": [\n    1,\n    {\n      \"b\": true\n    }\n  ],\n  \"c\": []\n}")
        #expect(try Self.value(compact) == v)
    }

    @Test func theTypedModelIsOrdinaryCodable() throws {
        let path = Fixtures.golden("tokenizer-json/llama2-legacy.json").path
        let bytes = try FileBytes.read(path)
        let fast = try TokenizerJSON.read(bytes)
        // Foundation's decoder takes the generic paths (keyed vocab, unkeyed merges).
        let foundation = try JSONDecoder().decode(TokenizerJSON.self, from: Data(bytes))
        #expect(foundation.model.vocab.count == fast.model.vocab.count)
        #expect(Set((0..<fast.model.vocab.count).map { fast.model.vocab.token(at: $0) + "\u{0}\(fast.model.vocab.ids[$0])" })
                == Set((0..<foundation.model.vocab.count).map { foundation.model.vocab.token(at: $0) + "\u{0}\(foundation.model.vocab.ids[$0])" }))
        #expect((0..<fast.model.merges.count).allSatisfy { fast.model.merges.text(at: $0) == foundation.model.merges.text(at: $0) })
        let normalizerKinds: [TokenizerJSON.Normalizer.Kind] = (foundation.normalizer?.normalizers ?? []).map { $0.kind }
        #expect(normalizerKinds == [.prepend, .replace])
        #expect((foundation.addedTokens ?? []).map { $0.content } == ["<unk>", "<s>", "</s>"])
        // Foundation's encoder too: its output reads back to the same components.
        let encoded = try JSONEncoder().encode(fast)
        let again = try TokenizerJSON.read(Array(encoded))
        #expect(again.model.vocab.count == fast.model.vocab.count)
        #expect(again.model.merges.count == fast.model.merges.count)
        #expect(again.model.merges.shape == TokenizerJSON.Merges.Shape.pairs)
        let kinds: [TokenizerJSON.Decoder.Kind] = (again.decoder?.decoders ?? []).map { $0.kind }
        #expect(kinds == [.replace, .byteFallback, .fuse, .strip])
        let entries: [TokenizerJSON.TemplateSpecialTokens.Entry] = again.postProcessor?.specialTokens?.entries ?? []
        #expect(entries.map { $0.ids } == [[1]])
    }

    @Test func unknownMembersSurviveAndKeepTheirPlace() throws {
        let text = #"{"version":"1.0","extra_top":{"x":[1,2]},"model":{"type":"BPE","vocab":{"a":0},"merges":[],"custom":"kept","dropout":null},"decoder":{"type":"Fuse","note":7}}"#
        let json = try TokenizerJSON.read(Array(text.utf8))
        #expect(json.layout.unknown.map(\.key) == ["extra_top"])
        #expect(json.model.layout.unknown == [JSONMember(key: "custom", value: .string("kept"))])
        #expect(json.decoder?.layout.unknown == [JSONMember(key: "note", value: .integer(7))])
        #expect(String(decoding: try json.write(pretty: false), as: UTF8.self) == text)
        // A field given a value in code is appended; a nil field that was absent stays absent.
        var changed = json
        changed.model.byteFallback = true
        #expect(String(decoding: try changed.write(pretty: false), as: UTF8.self)
                == text.replacingOccurrences(of: #""dropout":null}"#, with: #""dropout":null,"byte_fallback":true}"#))
    }
}
