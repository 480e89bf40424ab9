// ByteLevelBPEBuilder: the steps shared by every loader of byte-level BPE files whose tokens are stored as
// strings in GPT-2's byte-level alphabet (vocab.json + merges.txt, tokenizer.json, GGUF):
// decode token strings to bytes, build the `Vocabulary`, and turn "left right" merges into id pairs.
//
// Merges are described as byte spans of one text buffer (the file itself for merges.txt and GGUF), so
// resolving 280k merges makes no String at all: each side is decoded from UTF-8 into a scratch buffer
// and looked up with `Vocabulary.id(of:)`.
//
// Invariant: every error names the file and the line / JSON path / GGUF key of the offending entry.
// Complexity: O(total token and merge bytes).

import TesseraBPE

/// One merge as byte ranges of a text buffer: `left` and `right` are alphabet strings.
struct MergeSpan {
    var left: Range<Int>
    var right: Range<Int>
}

enum ByteLevelBPEBuilder {
    /// Decodes an alphabet string (UTF-8 bytes) to token bytes; nil when a character is outside the alphabet.
    static func decode(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        if ByteLevelAlphabet.decodeUTF8(utf8, into: &out) != nil { return nil }
        return out
    }

    /// Decodes a token string or throws naming it.
    static func decode(_ token: String, file: String, at location: @autoclosure () -> FormatError.Location) throws -> [UInt8] {
        do {
            return try ByteLevelAlphabet.decode(token)
        } catch {
            throw FormatError(.invalidValue, file: file, at: location(), error.description,
                              fix: "byte-level BPE files store every ordinary token in the byte-level alphabet; "
                              + "declare literal tokens as added/special tokens instead")
        }
    }

    /// Builds a vocabulary, naming the entry of a duplicate or an empty token.
    static func vocabulary(_ entries: [(bytes: [UInt8], id: TokenID)], file: String,
                           location: (TokenID) -> FormatError.Location) throws -> Vocabulary {
        try vocabulary(file: file, location: location) { try Vocabulary(entries: entries) }
    }

    /// Runs `build`, turning its `BPEError`s into `FormatError`s at `location(id)`.
    static func vocabulary(file: String, location: (TokenID) -> FormatError.Location,
                           _ build: () throws -> Vocabulary) throws -> Vocabulary {
        do {
            return try build()
        } catch let BPEError.duplicateTokenBytes(first, second, bytes) {
            throw FormatError(.invalidValue, file: file, at: location(second),
                              "token \(second) has the same bytes \(showBytes(bytes).debugDescription) as token \(first)",
                              fix: "token bytes must be unique; remove one of the two entries")
        } catch let BPEError.duplicateTokenID(id) {
            throw FormatError(.invalidValue, file: file, at: location(id), "id \(id) is assigned twice",
                              fix: "ids must be unique")
        } catch let BPEError.emptyToken(id) {
            throw FormatError(.invalidValue, file: file, at: location(id), "token \(id) is empty",
                              fix: "every token needs at least one byte")
        } catch {
            throw Assembly.bpeError(error, file: file)
        }
    }

    /// Resolves merges to id pairs and returns, for each, the id of the merged token.
    /// - Throws: `FormatError` at `location(i)` for a side outside the alphabet, a side that is not a
    ///   token, or a merge whose result is not a token.
    static func resolveMerges(_ spans: [MergeSpan], in text: UnsafeBufferPointer<UInt8>, vocabulary: Vocabulary,
                              file: String, location: (Int) -> FormatError.Location)
        throws -> (pairs: [MergePair], results: [TokenID]) {
        var pairs: [MergePair] = []
        var results: [TokenID] = []
        pairs.reserveCapacity(spans.count)
        results.reserveCapacity(spans.count)
        var left: [UInt8] = []
        var right: [UInt8] = []
        for (i, span) in spans.enumerated() {
            left.removeAll(keepingCapacity: true)
            right.removeAll(keepingCapacity: true)
            let l = UnsafeBufferPointer(rebasing: text[span.left])
            let r = UnsafeBufferPointer(rebasing: text[span.right])
            if let bad = ByteLevelAlphabet.decodeUTF8(l, into: &left) {
                throw outside(l, side: "left", at: bad, file: file, location: location(i))
            }
            if let bad = ByteLevelAlphabet.decodeUTF8(r, into: &right) {
                throw outside(r, side: "right", at: bad, file: file, location: location(i))
            }
            guard let leftID = vocabulary.id(of: left) else {
                throw unknown(String(decoding: l, as: UTF8.self), file: file, at: location(i))
            }
            guard let rightID = vocabulary.id(of: right) else {
                throw unknown(String(decoding: r, as: UTF8.self), file: file, at: location(i))
            }
            left.append(contentsOf: right)
            guard let merged = vocabulary.id(of: left) else {
                throw FormatError(.invalidValue, file: file, at: location(i),
                                  "merging \(String(decoding: l, as: UTF8.self).debugDescription) and "
                                  + "\(String(decoding: r, as: UTF8.self).debugDescription) gives a token that is not in the vocabulary",
                                  fix: "every merge result must be a vocabulary token; the merges and the vocabulary do not belong together")
            }
            pairs.append(MergePair(leftID, rightID))
            results.append(merged)
        }
        return (pairs, results)
    }

    static func outside(_ utf8: UnsafeBufferPointer<UInt8>, side: String, at offset: Int, file: String,
                        location: FormatError.Location) -> FormatError {
        let name = String(decoding: utf8, as: UTF8.self)
        return FormatError(.invalidValue, file: file, at: location,
                           "the merge's \(side) token \(name.debugDescription) has a character outside GPT-2's "
                           + "byte-level alphabet at byte \(offset)",
                           fix: "merges must name tokens of the vocabulary in the byte-level alphabet")
    }

    static func unknown(_ token: String, file: String, at location: FormatError.Location) -> FormatError {
        FormatError(.invalidValue, file: file, at: location,
                    "the merge names the token \(token.debugDescription), which is not in the vocabulary",
                    fix: "the merges and the vocabulary do not belong together; use the files of one model")
    }

    /// Builds the model, naming the file on failure; `results` (from `resolveMerges`) saves a lookup per merge.
    static func model(_ vocabulary: Vocabulary, pairs: [MergePair], results: [TokenID]? = nil, ignoreMerges: Bool,
                      file: String) throws -> BPEModel {
        do {
            if let results {
                return try BPEModel(vocabulary: vocabulary, rule: .mergeList(pairs, ignoreMerges: ignoreMerges), mergeResults: results)
            }
            return try BPEModel(vocabulary: vocabulary, rule: .mergeList(pairs, ignoreMerges: ignoreMerges))
        } catch {
            throw Assembly.bpeError(error, file: file)
        }
    }
}
