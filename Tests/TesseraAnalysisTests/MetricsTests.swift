// Metrics: the tokenization-scorer fixtures (exact), statistics on hand-checked text, and merging.

import Foundation
import Testing
import TesseraBPE
import TesseraFormats
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer
@testable import TesseraAnalysis

/// A distribution from whitespace-separated token strings (ids by first appearance).
func distribution(_ text: String) -> TokenDistribution {
    var ids: [String: TokenID] = [:]
    var d = TokenDistribution()
    d.add(text.split(separator: " ").map { s in
        if let id = ids[String(s)] { return id }
        let id = TokenID(ids.count)
        ids[String(s)] = id
        return id
    })
    return d
}

@Suite struct MetricsTests {
    @Test func tokenizationScorerFixtures() throws {
        // The package's unit values (|V| = observed types, α = 2.5).
        let a = distribution("pick @@ed pick @@l @@ed pick @@les")
        #expect(a.total == 7 && a.observedTypes == 4)
        #expect(abs(try #require(a.renyiEfficiency(alpha: 2.5)) - 0.8265064834) < 1e-9)
        #expect(abs(a.renyiEntropy(alpha: 2.5) - 1.6530129668) < 1e-9)
        #expect(abs(try #require(a.shannonEfficiency()) - 0.9211854966) < 1e-9)
        #expect(abs(a.shannonEntropy - 1.8423709932) < 1e-9)
        let b = distribution("pick @@e @@d pick @@l @@e @@d pick @@l @@e @@s")
        #expect(b.total == 11 && b.observedTypes == 5)
        #expect(abs(try #require(b.renyiEfficiency(alpha: 2.5)) - 0.9204840242) < 1e-9)
        #expect(abs(try #require(b.shannonEfficiency()) - 0.9609557934) < 1e-9)
        // One type: undefined, not a division by zero.
        #expect(distribution("a a a").shannonEfficiency() == nil)
    }

    @Test func statisticsOnKnownText() throws {
        let tokenizer = try TokenizerLoader.load(nameOrPath: "o200k_base")
        let text = Array("Hello world, it's unbelievable.\n".utf8)
        let s = try TokenizerStatistics(tokenizer: tokenizer, text: text)
        let ids = try tokenizer.encode(text)
        #expect(s.tokens == UInt64(ids.count))
        #expect(s.bytes == 32 && s.characters == 32)
        #expect(s.words == 4)   // Hello / world, / it's / unbelievable.
        // Every token starts with (or is) non-whitespace inside a word (o200k ends with one ".\n" token).
        #expect(s.wordTokens == s.tokens)
        // o200k: "Hello" | " world" "," | " it's" | " unbelievable" ".\n": two words have two tokens.
        #expect(ids.count == 6)
        #expect(s.continuedWords == 2)
        #expect(abs(s.fertility - 1.5) < 1e-12 && abs(s.continuedWordShare - 0.5) < 1e-12)
        #expect(s.crossingTokens == 0)
        #expect(s.fallbackTokens == 0)
        #expect(abs(s.bytesPerToken - 32.0 / Double(ids.count)) < 1e-12)
    }

    @Test func crossingTokensAndInvalidUTF8() throws {
        // A superword-like vocabulary: bytes, then the steps to " of the" (rank order merges lowest ranks first).
        var tokens = (0..<256).map { [UInt8($0)] }
        for t in [" o", " of", " t", " th", " the", " of the"] { tokens.append(Array(t.utf8)) }
        let vocabulary = try Vocabulary(tokens: tokens)
        let model = try BPEModel(vocabulary: vocabulary, rule: .rankOrder)
        let tokenizer = Tokenizer(name: "t", preTokenizer: WholeTextPreTokenizer(), model: model)
        let s = try TokenizerStatistics(tokenizer: tokenizer, text: Array("x of the y".utf8) + [0xFF])
        // Tokens: "x", " of the", " ", "y", <FF>.
        #expect(s.tokens == 5)
        #expect(s.crossingTokens == 1)          // " of the": a space after "of"
        #expect(s.characters == 11)             // 10 ASCII + 1 invalid byte
        #expect(s.words == 4)                   // x / of / the / y<FF>
        #expect(s.wordTokens == 4)              // the lone " " belongs to no word; "the" gets none (inside " of the")
        #expect(s.continuedWords == 1)          // y<FF> = "y" + <FF>
    }

    @Test func mergeIsTheSumOfParts() throws {
        let tokenizer = try TokenizerLoader.load(nameOrPath: "o200k_base")
        let a = try TokenizerStatistics(tokenizer: tokenizer, text: Array("one two three\n".utf8))
        let b = try TokenizerStatistics(tokenizer: tokenizer, text: Array("four five\n".utf8))
        var sum = a
        sum.merge(b)
        #expect(sum.tokens == a.tokens + b.tokens && sum.words == 5)
        #expect(sum.distribution.total == a.distribution.total + b.distribution.total)
    }
}

@Suite struct FallbackRateTests {
    @Test func sentencePieceByteFallbackIsCounted() throws {
        guard let model = Fixtures.shared("vocabularies/mistral-7b-v0.1.spm.model") else {
            print("skipped: ../shared/vocabularies/mistral-7b-v0.1.spm.model is absent")
            return
        }
        let tokenizer = try TokenizerLoader.load(path: model.path)
        // A rare CJK character has no piece in Mistral-7B's vocabulary: byte fallback (<0xNN> pieces).
        let s = try TokenizerStatistics(tokenizer: tokenizer, text: Array("hello 龘".utf8))
        #expect(s.fallbackTokens == 3)
        let plain = try TokenizerStatistics(tokenizer: tokenizer, text: Array("hello world".utf8))
        #expect(plain.fallbackTokens == 0)
    }
}
