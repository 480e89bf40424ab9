// BPEExport: what every writer needs to know about a byte-level BPE tokenizer, worked out once and in one
// place, with the checks that decide what a target format can carry:
// - the split pattern as one regex (a built-in scanner or an isolated, non-inverted ICU `Split`), the whole
//   text, or something no single regex describes (a sequence of splits);
// - the normalizer as a plain Unicode form (the only kind the sidecars hold) or something else;
// - the merge list for merge-list targets: the model's own, or the one recovered from the ranks
//   (`BPEModel.recoverMerges`, docs/algorithms/merge-recovery.md) and then verified;
// - for rank-order targets, whether a merge-list model is the rank-order model of its ids: its list must
//   be exactly the list recovered from its ids read as ranks.
//
// Invariant: each check that fails adds a `.lost` issue naming counts and examples; nothing is dropped
// silently. Complexity: O(vocabulary) plus merge recovery / verification when a target asks for them.

import TesseraBPE
import TesseraPreTokenizers
import TesseraTokenizer
import TesseraUnicode

struct BPEExport {
    let tokenizer: Tokenizer
    let model: BPEModel
    var vocabulary: Vocabulary { model.vocabulary }
    /// Special tokens in id order, with their text (UTF-8 of the special's bytes).
    let specials: [SpecialToken]

    enum Pattern {
        /// One regex with tiktoken's semantics (every match is a piece).
        case single(EncodingPattern)
        /// No split at all (minbpe's BasicTokenizer).
        case wholeText
        /// A pipeline that no single regex describes.
        case composite(String)
    }
    let pattern: Pattern

    enum Normalization {
        case none
        case form(NormalizationForm)
        case other(String)
    }
    let normalization: Normalization

    /// - Throws: `FormatError.unsupported` when the model is not byte-level BPE.
    init(_ tokenizer: Tokenizer, format: String) throws {
        guard let model = tokenizer.bpeModel else {
            throw FormatError(.unsupported, file: tokenizer.name,
                              "the \(format) format holds byte-level BPE only, and this tokenizer's model is "
                              + "\(tokenizer.model.summary)", fix: "convert to a format that holds this kind of model")
        }
        self.tokenizer = tokenizer
        self.model = model
        specials = tokenizer.specialTokens.entries.map { SpecialToken(String(decoding: $0.bytes, as: UTF8.self), $0.id) }
        pattern = Self.pattern(of: tokenizer.preTokenizer, description: tokenizer.patternDescription)
        if let normalizer = tokenizer.normalizer {
            if let text = normalizer as? TextNormalizer, !text.addsPrefixSpace, case .unicode(let form)? = text.normalizer {
                normalization = .form(form)
            } else {
                normalization = .other(normalizer.summary)
            }
        } else {
            normalization = .none
        }
    }

    static func pattern(of preTokenizer: any PreTokenizer, description: String?) -> Pattern {
        if let scanner = preTokenizer as? PatternScanner { return .single(.builtin(scanner.pattern)) }
        if let regex = preTokenizer as? RegexPreTokenizer, regex.behavior == .isolated, !regex.invert {
            return .single(.recognising(regex.pattern))
        }
        if preTokenizer is SuperwordPreTokenizer { return .single(.regex(SuperwordPreTokenizer.regexSource)) }
        if preTokenizer is WholeTextPreTokenizer { return .wholeText }
        if let sequence = preTokenizer as? PreTokenizerSequence, sequence.stages.count == 1 {
            return pattern(of: sequence.stages[0], description: description)
        }
        return .composite(description ?? String(describing: type(of: preTokenizer)))
    }

    /// Specials whose text a special's bytes do not round-trip through (invalid UTF-8) cannot be written by any format.
    func checkSpecialText(_ report: inout ConversionReport) {
        let bad = tokenizer.specialTokens.entries.filter { String(validating: $0.bytes, as: UTF8.self) == nil }
        if !bad.isEmpty {
            report.lost("\(bad.count) special token(s) are not valid UTF-8 text (first id \(bad[0].id)); they are written "
                        + "with U+FFFD replacements")
        }
    }

    /// Decoders and post-processors: no format written here has a place for them.
    func reportPipelineExtras(_ report: inout ConversionReport) {
        if let decoder = tokenizer.decoder {
            report.lost("the decoder (\(decoder.summary)) is dropped: \(report.format) files have no decoder; decoding "
                        + "concatenates token bytes")
        }
        if let post = tokenizer.postProcessor {
            report.lost("the post-processor (\(post.summary)) is dropped: \(report.format) files have no post-processor")
        }
        checkSpecialText(&report)
    }

    /// The normalizer, for formats whose only home for it is Tessera's sidecar (`normalizer` = a Unicode form).
    func sidecarNormalizer(_ report: inout ConversionReport, where place: String) -> NormalizationForm? {
        switch normalization {
        case .none: return nil
        case .form(let form):
            report.sidecar("the \(form.rawValue.uppercased()) normalizer is kept in \(place) only (a Tessera extension; "
                           + "other readers do not normalize)")
            return form
        case .other(let summary):
            report.lost("the normalizer (\(summary)) is dropped: only a plain NFC/NFD/NFKC/NFKD normalizer can be written")
            return nil
        }
    }

    /// For formats with no normalizer at all.
    func reportNormalizerDropped(_ report: inout ConversionReport) {
        switch normalization {
        case .none: break
        case .form(let form): report.lost("the \(form.rawValue.uppercased()) normalizer is dropped: \(report.format) has no normalizer")
        case .other(let summary): report.lost("the normalizer (\(summary)) is dropped: \(report.format) has no normalizer")
        }
    }

    // MARK: Merge lists

    struct Merges {
        var pairs: [MergePair]
        var results: [TokenID]
        /// Multi-byte tokens no merge produces.
        var unreachable: [TokenID]
    }

    /// The merge list for a merge-list target, in priority order. Rank-order models get the recovered list
    /// (verified when `options.verify`); merge-list models their own.
    func mergeList(_ options: WriteOptions, _ report: inout ConversionReport) -> Merges {
        switch model.rule {
        case .rankOrder:
            let recovered = report.timed("recover merges") { model.recoverMerges(threads: options.threads) }
            report.note("recovered \(recovered.merges.count) merges from the ranks")
            if !recovered.unreachable.isEmpty {
                let shown = recovered.unreachable.prefix(5).map { "\($0.id) \(show($0.id))" }.joined(separator: ", ")
                report.lost("\(recovered.unreachable.count) token(s) cannot be built by merging lower-ranked tokens, so no merge "
                            + "produces them (\(shown)\(recovered.unreachable.count > 5 ? ", …" : "")); rank order reaches them "
                            + "only as whole pieces")
            }
            if options.verify {
                let failures = report.timed("verify merges") { () -> [TokenID] in
                    guard let check = try? BPEModel(vocabulary: vocabulary, rule: .mergeList(recovered.merges, ignoreMerges: false)) else {
                        return [TokenID.max]
                    }
                    let unreachable = Set(recovered.unreachable.map(\.id))
                    return check.tokensNotReproduced(threads: options.threads).filter { !unreachable.contains($0) }
                }
                if failures.isEmpty {
                    report.note("verified: with the recovered merges, every reachable token's bytes encode to the token itself")
                } else {
                    report.lost("verification failed: \(failures.count) token(s) do not encode to themselves with the recovered merges "
                                + "(first \(failures.prefix(5).map(String.init).joined(separator: ", ")))")
                }
            }
            return Merges(pairs: recovered.merges, results: recovered.results, unreachable: recovered.unreachable.map(\.id))
        case .mergeList(let list, let ignoreMerges):
            var results: [TokenID] = []
            results.reserveCapacity(list.count)
            var joined: [UInt8] = []
            var produced = [Bool](repeating: false, count: vocabulary.idUpperBound)
            for m in list {
                joined.removeAll(keepingCapacity: true)
                _ = vocabulary.appendBytes(of: m.left, to: &joined)
                _ = vocabulary.appendBytes(of: m.right, to: &joined)
                // BPEModel.init checked that every merge result is a token.
                let id = vocabulary.id(of: joined) ?? TokenID.max
                results.append(id)
                if Int(id) < produced.count { produced[Int(id)] = true }
            }
            let unreachable = (0..<vocabulary.idUpperBound).filter { vocabulary.byteCount(of: TokenID($0)) >= 2 && !produced[$0] }
                .map { TokenID($0) }
            if ignoreMerges {
                let failures = report.timed("check ignore_merges") { () -> [TokenID] in
                    guard let plain = try? BPEModel(vocabulary: vocabulary, rule: .mergeList(list, ignoreMerges: false)) else { return [] }
                    return plain.tokensNotReproduced(threads: options.threads)
                }
                if failures.isEmpty {
                    report.note("ignore_merges is not written; it changes nothing here because the merges build every token")
                } else {
                    report.lost("ignore_merges cannot be written: without it \(failures.count) token(s) are no longer produced for "
                                + "their own bytes (first \(failures.prefix(5).map { "\($0) \(show($0))" }.joined(separator: ", ")))")
                }
            }
            return Merges(pairs: list, results: results, unreachable: unreachable)
        }
    }

    /// For rank-order targets: whether the model's ids, read as ranks, give the model's encodings.
    func checkRankOrder(_ options: WriteOptions, _ report: inout ConversionReport) {
        guard case .mergeList(let list, _) = model.rule else { return }
        let recovered = report.timed("recover merges") { model.recoverMerges(threads: options.threads) }
        if list == recovered.merges && recovered.unreachable.isEmpty {
            report.note("the merge list is exactly the one the ids imply as ranks, so rank order reproduces it")
            return
        }
        let implied = Set(recovered.merges)
        let foreign = list.indices.filter { !implied.contains(list[$0]) }
        let listed = Set(list)
        let missing = recovered.merges.filter { !listed.contains($0) }.count
        var parts: [String] = []
        if let first = foreign.first {
            parts.append("\(foreign.count) of its \(list.count) merges are not the ones its ids imply as ranks (first: merge #\(first + 1) "
                         + "\(show(list[first].left)) + \(show(list[first].right)))")
        }
        if missing > 0 { parts.append("\(missing) implied merge(s) are not in the list") }
        if foreign.isEmpty && missing == 0 { parts.append("the list holds the implied merges in another order") }
        if !recovered.unreachable.isEmpty {
            parts.append("\(recovered.unreachable.count) token(s) cannot be built from lower ids at all")
        }
        report.lost("the merge list is not representable as ranks: " + parts.joined(separator: "; ")
                    + "; rank-order encoding can give other ids (this check is sufficient, not necessary: such a list may "
                    + "still encode like the ranks, but nothing here proves it)")
    }

    /// A token for messages: its bytes as a quoted string.
    func show(_ id: TokenID) -> String {
        guard let bytes = vocabulary.bytes(of: id) else { return "#\(id)" }
        return "\"" + showBytes(bytes, limit: 24) + "\""
    }
}
