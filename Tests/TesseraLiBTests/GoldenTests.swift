// Parity with the LiB reference (ray306/The-Less-is-Better-Model at f301b47): the learner, fed the same
// sentences with the same Python random stream, must end with the reference's lexicon in the same order
// and the same probation pool; the model, given the reference's cleaned lexicon, must segment exactly as
// the reference's `apply` (with and without `seg_deeper`). Fixtures: scripts/make-golden-lib.py.
import Foundation
import Testing
import TesseraLiB
import TesseraTestSupport

struct LiBGoldenCase {
    let name: String
    let json: [String: Any]

    static func load(_ name: String) throws -> LiBGoldenCase {
        let url = Fixtures.golden("lib/\(name).json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return LiBGoldenCase(name: name, json: object as? [String: Any] ?? [:])
    }

    var parameters: LiBParameters {
        let p = json["parameters"] as? [String: Any] ?? [:]
        var out = LiBParameters()
        out.inRate = p["in_rate"] as? Double ?? out.inRate
        out.outRate = p["out_rate"] as? Double ?? out.outRate
        out.updateRate = p["update_rate"] as? Double ?? out.updateRate
        out.life = p["life"] as? Int ?? out.life
        out.inspectContext = p["inspect_context"] as? Bool ?? out.inspectContext
        out.maxChunkCharacters = p["max_chunk_len"] as? Int
        out.sentencesPerStep = json["sentences_per_step"] as? Int ?? 0
        out.seed = UInt64(json["seed"] as? Int ?? 0)
        return out
    }
    var steps: Int { json["steps"] as? Int ?? 0 }
    func strings(_ key: String) -> [String] { json[key] as? [String] ?? [] }
    var probation: [(String, Int)] {
        (json["probation_before_cleanup"] as? [[Any]] ?? []).map { ($0[0] as? String ?? "", $0[1] as? Int ?? 0) }
    }
    func segmentation(_ key: String) -> [[String]] { json[key] as? [[String]] ?? [] }

    /// The corpus file, or nil when it lives in the absent shared folder.
    var corpusURL: URL? {
        let path = json["corpus"] as? String ?? ""
        if path.hasPrefix("shared:") { return Fixtures.shared(String(path.dropFirst(7))) }
        return Fixtures.packageRoot.appendingPathComponent(path)
    }

    func sentences() throws -> [[UInt8]]? {
        guard let url = corpusURL else { return nil }
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        switch json["transform"] as? String {
        case "remove-spaces": lines = lines.map { $0.replacingOccurrences(of: " ", with: "") }
        case "words+space": lines = lines.map { $0.split(separator: " ", omittingEmptySubsequences: false).map { $0 + " " }.joined() }
        default: break
        }
        return lines.map { Array($0.utf8) }
    }
}

@Suite("LiB parity with the reference")
struct LiBGoldenTests {
    static let names = ["genesis-kjv-demo", "genesis-rv1909-nospace-defaults", "genesis-kjv-maxlen-nocontext", "br-text-demo",
                        "br-text-words-space-seed2"]

    @Test("the learner ends with the reference's lexicon, order and probation pool", arguments: names)
    func learnerMatchesReference(name: String) throws {
        let golden = try LiBGoldenCase.load(name)
        guard let sentences = try golden.sentences() else {
            print("skipping \(name): ../shared/\(golden.json["corpus"] ?? "") is absent")
            return
        }
        let parameters = golden.parameters
        let learner = try LiBLearner(parameters: parameters)
        var articles = InMemoryArticles(sentences: sentences)
        var article = LiBArticle()
        for _ in 0..<golden.steps {
            articles.next(parameters.sentencesPerStep, into: &article)
            try learner.learn(article)
        }
        let expected = golden.strings("lexicon_before_cleanup")
        let got = learner.lexicon().map { String(decoding: $0, as: UTF8.self) }
        #expect(got.count == expected.count)
        if let i = (0..<min(got.count, expected.count)).first(where: { got[$0] != expected[$0] }) {
            Issue.record("first difference at rank \(i): \(got[i].debugDescription) vs reference \(expected[i].debugDescription)")
        }
        let pool = learner.probation().map { (String(decoding: $0.chunk, as: UTF8.self), $0.life) }
        #expect(pool.map(\.0) == golden.probation.map(\.0))
        #expect(pool.map(\.1) == golden.probation.map(\.1))
    }

    @Test("the model segments like the reference's apply (and apply(seg_deeper=True))", arguments: names)
    func modelMatchesReference(name: String) throws {
        let golden = try LiBGoldenCase.load(name)
        let onProbation = Set(golden.probation.map(\.0))
        let lexicon = golden.strings("lexicon_before_cleanup").filter { !onProbation.contains($0) }
        #expect(lexicon.count == golden.json["lexicon_size"] as? Int)
        let model = try LiBModel(lexicon: lexicon.map { Array($0.utf8) })
        let deeper = try LiBModel(lexicon: lexicon.map { Array($0.utf8) }, deeper: true)
        let expected = golden.segmentation("segmentation")
        let expectedDeeper = golden.segmentation("segmentation_deeper")
        let sample = expected.map { $0.joined() }
        for (i, sentence) in sample.enumerated() {
            let chunks = model.segment(Array(sentence.utf8)).map { String(decoding: $0, as: UTF8.self) }
            #expect(chunks == expected[i], "sentence \(i)")
            let ids = deeper.encode(Array(sentence.utf8))
            let pieces = ids.map { String(decoding: deeper.vocabulary.bytes(of: $0) ?? [], as: UTF8.self) }
            #expect(pieces == expectedDeeper[i], "sentence \(i), deeper")
        }
        guard let sentences = try golden.sentences() else { return }
        var tokens = 0
        var types = Set<[UInt8]>()
        for s in sentences {
            let chunks = model.segment(s)
            tokens += chunks.count
            types.formUnion(chunks)
        }
        #expect(tokens == golden.json["corpus_tokens"] as? Int)
        #expect(types.count == golden.json["corpus_types"] as? Int)
    }
}
