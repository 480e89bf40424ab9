// The superword (SuperBPE stage-2) scanner against ICU running the same regex, plus hand oracles.

import Testing
import TesseraPreTokenizers
import TesseraTestSupport
import TesseraTokenizer
import TesseraUnicode

/// Reference: ICU matches of the regex and the gaps between them (Hugging Face's Split, Isolated).
func referenceSuperwordPieces(_ text: [UInt8]) throws -> [Range<Int>] {
    let regex = try ICURegex(SuperwordPreTokenizer.regexSource)
    var pieces: [Range<Int>] = []
    var gapStart = 0
    func gap(_ end: Int) {
        if gapStart < end { pieces.append(gapStart..<end) }
    }
    for m in try regex.matches(in: text) {
        gap(m.lowerBound)
        pieces.append(m)
        gapStart = m.upperBound
    }
    gap(text.count)
    return pieces
}

@Suite struct SuperwordPreTokenizerTests {
    func split(_ s: String) -> [String] {
        let bytes = Array(s.utf8)
        return SuperwordPreTokenizer().pieces(of: bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    @Test func handOracles() {
        #expect(split("of the United States") == ["of the United States"])
        #expect(split("In 2024, we paid 12345 dollars.") == ["In ", "202", "4", ", we paid ", "123", "45", " dollars."])
        #expect(split("Wait... what?!") == ["Wait", "...", " what", "?!"])
        #expect(split("end  \nnext line") == ["end", "  ", "\n", "next line"])
        #expect(split("end \nnext") == ["end", " ", "\n", "next"])
        #expect(split("a  b") == ["a", " ", " b"])
        #expect(split("path //usr/bin") == ["path", " //", "usr/bin"])
        #expect(split("one\ntwo\n") == ["one", "\n", "two", "\n"])
        #expect(split("x ...\n\ny") == ["x", " ...\n\n", "y"])
    }

    @Test func agreesWithICUOnRandomText() throws {
        var rng = SeededGenerator(seed: 11)
        let fragments = ["a", "word", " ", "  ", "\n", "\t", "!", "?!", "...", "//", "/", "1", "12345", "٣٤", "é", "日本語",
                         "—", "''", "\"", " (x)", ",", "\r\n", "🙂", "Ⅻ"]
        for _ in 0..<2000 {
            let text = (0..<Int(rng.next() % 20)).map { _ in fragments[Int(rng.next() % UInt64(fragments.count))] }.joined()
            let bytes = Array(text.utf8)
            #expect(SuperwordPreTokenizer().pieces(of: bytes) == (try referenceSuperwordPieces(bytes)), "\(text.debugDescription)")
        }
    }

    @Test func cutsAfterLineFeedsAreSafe() {
        let text = Array("It was -- so they say -- 100 years ago.\nThen came 2025!!\nand more   \nok".utf8)
        let pre = SuperwordPreTokenizer()
        let whole = pre.pieces(of: text)
        text.withUnsafeBufferPointer { b in
            var p = 0
            while let cut = pre.safeCut(in: b, from: p + 1, before: b.count) {
                let left = pre.pieces(of: Array(text[..<cut]))
                let right = pre.pieces(of: Array(text[cut...])).map { ($0.lowerBound + cut)..<($0.upperBound + cut) }
                #expect(left + right == whole)
                p = cut
            }
        }
    }
}
