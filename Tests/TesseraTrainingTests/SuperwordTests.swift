// Superword BPE: stage-1 merges kept in front, the words-per-token limit holds, and it compresses
// better than plain BPE at the same size (the paper's toy-scale check).

import Testing
import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
@testable import TesseraTraining

@Suite struct SuperwordTests {
    @Test func wordCounting() {
        func words(_ a: String, _ b: String) -> Int {
            Array(a.utf8).withUnsafeBufferPointer { x in Array(b.utf8).withUnsafeBufferPointer { y in BPETrainer.wordCount(x, y) } }
        }
        #expect(words(" of", " the") == 2)
        #expect(words("ing", " the") == 2)
        #expect(words("the", " ") == 1)
        #expect(words("  ", "  ") == 0)
        #expect(words("a b", "c d e") == 4)
    }

    @Test func superwordBeatsPlainBPEAtTheSameSize() throws {
        let plainPre = PatternScanner(.gpt2)
        let superPre = SuperwordPreTokenizer()
        let stage1 = try PretokenCounter(preTokenizer: plainPre, preTokenizerName: "gpt2").count(demoText)
        let stage2 = try PretokenCounter(preTokenizer: superPre, preTokenizerName: "superword").count(demoText)
        let size = 1200
        let plain = try BPETrainer.train(stage1, parameters: .init(vocabularySize: size))
        let superword = try BPETrainer.trainSuperword(stage1: stage1, stage2: stage2, transitionSize: 900, maxWordsPerToken: 4,
                                                      parameters: .init(vocabularySize: size))
        #expect(superword.tokens.count == size)
        #expect(superword.transitionMerges == 900 - 256)
        // Stage-1 merges come first, unchanged: they are exactly plain BPE's first 644 merges.
        #expect(Array(superword.mergePairs.prefix(644)) == Array(plain.mergePairs.prefix(644)))
        // Every token holds at most four words, and some cross a space.
        var crossing = 0
        for t in superword.tokens {
            let w = t.withUnsafeBufferPointer { BPETrainer.wordCount($0, UnsafeBufferPointer(start: nil, count: 0)) }
            #expect(w <= 4)
            if w >= 2 { crossing += 1 }
        }
        #expect(crossing > 0)
        let plainTokenizer = try plain.tokenizer(name: "plain", preTokenizer: plainPre)
        let superTokenizer = try superword.tokenizer(name: "super", preTokenizer: superPre)
        let plainCount = try plainTokenizer.encode(demoText).count
        let superCount = try superTokenizer.encode(demoText).count
        #expect(superCount < plainCount)
        #expect(try superTokenizer.decode(superTokenizer.encode(demoText)) == demoText)
    }
}
