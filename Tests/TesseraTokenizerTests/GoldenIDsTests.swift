// Parity with the reference tools on committed fixtures (corpora/golden/ids, made by
// scripts/make-golden-ids.py with tiktoken and Hugging Face tokenizers; versions are in each file).
import Foundation
import Testing
import TesseraBPE
import TesseraFormats
import TesseraTestSupport
import TesseraTokenizer

@Suite("Golden ids from tiktoken and HF tokenizers")
struct GoldenIDsTests {
    struct Fixture: Decodable {
        struct Case: Decodable { let name: String?; let text: String; let ids: [UInt32] }
        let tool: String
        let tool_version: String
        let cases: [Case]
    }

    static let fixtures: [(file: String, tokenizer: String)] = [
        ("r50k_base.json", Fixtures.vocabulary("r50k_base.tiktoken").path),
        ("cl100k_base.json", Fixtures.vocabulary("cl100k_base.tiktoken").path),
        ("o200k_base.json", "o200k_base"),
        ("gpt2-hf.json", Fixtures.vocabulary("gpt2").path),
    ]

    @Test("every case gives the reference ids and decodes back", arguments: fixtures)
    func parity(file: String, tokenizer name: String) throws {
        let data = try Data(contentsOf: Fixtures.golden("ids/\(file)"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let tokenizer = try TokenizerLoader.load(nameOrPath: name)
        #expect(fixture.cases.count > 100)
        for c in fixture.cases {
            let text = Array(c.text.utf8)
            let ids = try tokenizer.encode(text, specials: .asText)
            #expect(ids == c.ids, "\(file) case \(c.name ?? c.text)")
            #expect(try tokenizer.decode(ids) == text)
            // Same ids with offsets, through the parallel path, and on two threads.
            #expect(try tokenizer.encodeWithOffsets(text, specials: .asText).ids == c.ids)
            #expect(try tokenizer.encodeParallel(text, specials: .asText, threads: 2, chunkBytes: 64) == c.ids)
        }
        let batch = try tokenizer.encodeBatch(fixture.cases.map { Array($0.text.utf8) }, specials: .asText, threads: 2)
        #expect(batch == fixture.cases.map(\.ids))
    }
}
