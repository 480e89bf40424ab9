import Synchronization
import Testing
import TesseraBPE
import TesseraPreTokenizers
import TesseraTestSupport
@testable import TesseraTokenizer

@Suite("Tokenizer pipeline")
struct TokenizerTests {
    @Test("decode(encode(x)) == x for random bytes and random text", arguments: [1, 2, 3])
    func roundTrip(seed: UInt64) throws {
        let tokenizer = try SyntheticTokenizer.make(seed: seed)
        var rng = SeededGenerator(seed: seed)
        let alphabet = Array("abcdefgh \n\t".utf8) + Array("é漢🙂".utf8)
        for trial in 0..<300 {
            let length = Int(rng.next() % 400)
            let text: [UInt8] = trial % 2 == 0
                ? (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                : (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let ids = try tokenizer.encode(text, specials: .asText)
            #expect(try tokenizer.decode(ids) == text)
        }
    }

    @Test("special tokens: raise names the flag, allow emits the id, as-text encodes the text")
    func specialPolicies() throws {
        let tokenizer = try SyntheticTokenizer.make()
        let text = Array("ab <|endoftext|> cd".utf8)
        #expect(throws: TokenizerError.disallowedSpecialToken(text: "<|endoftext|>", byteOffset: 3)) {
            try tokenizer.encode(text)
        }
        do {
            _ = try tokenizer.encode(text)
        } catch let error as TokenizerError {
            #expect(error.description.contains("--allow-special"))
        }
        let allowed = try tokenizer.encode(text, specials: .allow)
        #expect(allowed.contains(100_001))
        #expect(try tokenizer.decode(allowed) == text)
        let asText = try tokenizer.encode(text, specials: .asText)
        #expect(!asText.contains(100_001))
        #expect(try tokenizer.decode(asText) == text)
        // Longest match wins between specials sharing a prefix; adjacent specials both match.
        let two = try tokenizer.encode(Array("<|end|><|endoftext|>".utf8), specials: .allow)
        #expect(two == [100_000, 100_001])
    }

    @Test("offsets are contiguous, cover the input and match each token's bytes")
    func offsets() throws {
        let tokenizer = try SyntheticTokenizer.make()
        let text = Array("abc  defg\nhhh <|end|> gab".utf8)
        let encoding = try tokenizer.encodeWithOffsets(text, specials: .allow)
        #expect(encoding.ids.count == encoding.offsets.count)
        var position = 0
        for (id, range) in zip(encoding.ids, encoding.offsets) {
            #expect(range.lowerBound == position)
            #expect(Array(text[range]) == tokenizer.tokenBytes(id))
            position = range.upperBound
        }
        #expect(position == text.count)
    }

    @Test("ids do not depend on the thread count (batch and one large text)")
    func threadIndependence() throws {
        let tokenizer = try SyntheticTokenizer.make()
        var rng = SeededGenerator(seed: 99)
        let alphabet = Array("abcdefgh  \n".utf8)
        let documents = (0..<40).map { _ in (0..<Int(rng.next() % 3000)).map { _ in alphabet[Int(rng.next() % 11)] } }
        let one = try tokenizer.encodeBatch(documents, specials: .asText, threads: 1)
        let two = try tokenizer.encodeBatch(documents, specials: .asText, threads: 2)
        let four = try tokenizer.encodeBatch(documents, specials: .asText, threads: 4)
        #expect(one == two && two == four)
        let big = Array(documents.joined())
        let sequential = try tokenizer.encode(big, specials: .asText)
        for threads in [2, 3] {
            #expect(try tokenizer.encodeParallel(big, specials: .asText, threads: threads, chunkBytes: 1000) == sequential)
        }
        // With a progress callback even one thread works chunk by chunk; every byte is reported once.
        for threads in [1, 2] {
            let reported = Atomic<Int>(0)
            let ids = try tokenizer.encodeParallel(big, specials: .asText, threads: threads, chunkBytes: 1000,
                                                   progress: { reported.add($0, ordering: .relaxed) })
            #expect(ids == sequential)
            #expect(reported.load(ordering: .relaxed) == big.count)
        }
    }

    @Test("batch errors report the failing document")
    func batchError() throws {
        let tokenizer = try SyntheticTokenizer.make()
        #expect(throws: TokenizerError.self) {
            try tokenizer.encodeBatch([Array("ok".utf8), Array("<|end|>".utf8)], specials: .raise, threads: 2)
        }
    }

    @Test("decode names an unknown id and its position")
    func unknownID() throws {
        let tokenizer = try SyntheticTokenizer.make()
        #expect(throws: TokenizerError.unknownTokenID(77_777, position: 2)) { try tokenizer.decode([1, 2, 77_777]) }
    }

    @Test("the streaming decoder holds back incomplete UTF-8 and loses nothing")
    func streamingDecoder() throws {
        let tokenizer = try SyntheticTokenizer.make()
        let text = "a🙂b漢字 é"
        let ids = try tokenizer.encode(text, specials: .asText)
        // Feed byte-level ids one at a time: single-byte tokens split every multi-byte character.
        let byteIDs = Array(text.utf8).map { tokenizer.vocabulary.idOfByte[Int($0)] }
        for sequence in [ids, byteIDs] {
            var decoder = StreamingDecoder(tokenizer: tokenizer)
            var pieces: [String] = []
            for id in sequence { pieces.append(try decoder.push(id)) }
            pieces.append(decoder.finish())
            #expect(pieces.joined() == text)
            #expect(pieces.allSatisfy { !$0.contains("\u{FFFD}") })
        }
        #expect(StreamingDecoder.completePrefixLength([0x61, 0xF0, 0x9F]) == 1)
        #expect(StreamingDecoder.completePrefixLength([0x61, 0xF0, 0x9F, 0x99, 0x82]) == 5)
        #expect(StreamingDecoder.completePrefixLength([0xFF]) == 1)
    }

    @Test("safe cut points sit after a newline before an ASCII letter")
    func safeCut() throws {
        let text = Array("ab\n\n1x\nZq".utf8)
        let tokenizer = try SyntheticTokenizer.make()
        text.withUnsafeBufferPointer { buffer in
            #expect(tokenizer.safeCut(buffer, from: 0, before: text.count) == 7)
            #expect(tokenizer.safeCut(buffer, from: 8, before: text.count) == nil)
        }
    }
}

@Suite("Pipelined piece encoding")
struct PipelinedEncodingTests {
    /// The tokenizer's scanner path encodes pieces in batches, prefetching several pieces ahead, with a
    /// masked 8-byte load for the first word of a piece not near the end (PieceBatch); its ids must equal
    /// encoding every piece on its own, in order, for any number of pieces.
    @Test("scanner + pipeline give the ids of piece-by-piece encoding", arguments: [BuiltinPattern.cl100k, .gpt2, .o200k])
    func pipelineEqualsPieceByPiece(pattern: BuiltinPattern) throws {
        let (tokens, _) = SyntheticVocabulary.random(alphabet: Array("abcdefgh ,.\n".utf8), merges: 300, seed: 41)
        let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        let scanner = PatternScanner(pattern)
        let tokenizer = Tokenizer(name: "pipelined", preTokenizer: scanner, model: model)
        var rng = SeededGenerator(seed: 42)
        let alphabet = Array("abcdefgh ,.\n".utf8) + Array("ABé漢🙂'0123".utf8)
        for trial in 0..<400 {
            // 0…19 pieces or so (fewer than the pipeline depth), up to ~600, and every tenth trial several
            // batches (PieceBatch.capacity pieces each), so pieces straddle batch ends.
            let length = trial < 20 ? trial : Int(rng.next() % (trial % 10 == 0 ? 4000 : 600))
            let text = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            var expected: [TokenID] = []
            text.withUnsafeBufferPointer { buffer in
                scanner.forEachPiece(in: buffer) { piece in
                    expected += model.encode(piece: Array(buffer[piece]))
                }
            }
            #expect(try tokenizer.encode(text, specials: .asText) == expected, "trial \(trial)")
        }
    }

    @Test("a segment above the buffered limit (appended to the array directly) gives the same ids")
    func longSegmentUsesTheArraySink() throws {
        let (tokens, _) = SyntheticVocabulary.random(alphabet: Array("abcdefgh ,.\n".utf8), merges: 300, seed: 43)
        let model = try BPEModel(vocabulary: Vocabulary(tokens: tokens), rule: .rankOrder)
        let scanner = PatternScanner(.cl100k)
        let tokenizer = Tokenizer(name: "long", preTokenizer: scanner, model: model)
        var rng = SeededGenerator(seed: 44)
        let words = (0..<500).map { _ in (0..<Int(rng.next() % 9 + 1)).map { _ in Array("abcdefgh".utf8)[Int(rng.next() % 8)] } }
        var text: [UInt8] = []
        while text.count <= Tokenizer.bufferedSegmentLimit { text += [0x20] + words[Int(rng.next() % 500)] }
        var expected: [TokenID] = []
        text.withUnsafeBufferPointer { buffer in
            scanner.forEachPiece(in: buffer) { piece in expected += model.encode(piece: Array(buffer[piece])) }
        }
        let ids = try tokenizer.encode(text, specials: .asText)
        #expect(ids == expected)
        #expect(try tokenizer.decode(ids) == text)
    }
}
