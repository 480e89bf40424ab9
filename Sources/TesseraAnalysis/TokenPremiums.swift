// Token premiums (Petrov, La Malfa, Torr & Bibi 2023; Arnett, Chang, Biderman & Bergen 2025): for each
// tokenizer τ and language L of a parallel corpus,
//   CTC_τ(L) = tokens of L's text,  TP_τ(L | R) = CTC_τ(L) / CTC_τ(R),
//   byte premium BP(L | R) = UTF-8 bytes of L / bytes of R (tokenizer-free),
// and, under the `lines` convention, sentence-level parity: the median over sentences of
// |τ(s_L)| / |τ(s_R)| (Petrov's parity holds when it is ≈ 1).
// Invariant: counts do not depend on the thread count (each (language, tokenizer) job writes its own
// slot). Special-token text is encoded as text.
// Complexity: one encode of every language per tokenizer, spread over threads.

import Foundation
import Synchronization
import TesseraTokenizer

/// One language's row of a premium table.
public struct PremiumRow: Sendable {
    public var code: String
    public var script: String?
    /// From a language map, when given.
    public var name: String?
    public var family: String?
    public var bytes: Int
    public var characters: Int
    /// Bytes relative to the reference language.
    public var bytePremium: Double
    /// Corpus token count per tokenizer (same order as `PremiumTable.tokenizers`).
    public var tokens: [Int]
    /// Token premium per tokenizer.
    public var premiums: [Double]
    /// Median sentence-level ratio per tokenizer (`lines` convention only).
    public var sentenceParity: [Double]?
}

/// Premiums of several tokenizers over a parallel corpus.
public struct PremiumTable: Sendable {
    public var tokenizers: [String]
    public var reference: String
    public var convention: TextConvention
    /// Sorted by the first tokenizer's premium, highest first (within groups when `grouping` is set).
    public var rows: [PremiumRow]
    /// How rows are grouped (nil: not grouped).
    public var grouping: PremiumGrouping? = nil

    /// The group label of a row under `grouping`.
    public func group(of row: PremiumRow) -> String? {
        switch grouping {
        case .script?: return row.script ?? "(no script)"
        case .family?: return row.family ?? "(no family)"
        case nil: return nil
        }
    }

    /// Rows ordered by group (groups by their highest premium, highest first), then by premium.
    public mutating func group(by grouping: PremiumGrouping) {
        self.grouping = grouping
        var best: [String: Double] = [:]
        for r in rows {
            let g = group(of: r) ?? ""
            best[g] = max(best[g] ?? 0, r.premiums.first ?? 0)
        }
        let me = self
        rows = rows.sorted { a, b in
            let ga = me.group(of: a) ?? "", gb = me.group(of: b) ?? ""
            if ga != gb { return (best[ga] ?? 0, gb) > (best[gb] ?? 0, ga) }
            return (a.premiums.first ?? 0, b.code) > (b.premiums.first ?? 0, a.code)
        }
    }

    /// Spread of one tokenizer's premiums: max, min, max/min, mean, standard deviation, coefficient of variation.
    public func spread(tokenizer k: Int) -> (max: Double, maxCode: String, min: Double, minCode: String, ratio: Double,
                                            mean: Double, std: Double, cv: Double) {
        let values = rows.map { $0.premiums[k] }
        let hi = rows.max { $0.premiums[k] < $1.premiums[k] }
        let lo = rows.min { $0.premiums[k] < $1.premiums[k] }
        let mean = values.reduce(0, +) / Double(max(1, values.count))
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count))
        let std = variance.squareRoot()
        let mx = hi?.premiums[k] ?? 0, mn = lo?.premiums[k] ?? 0
        return (mx, hi?.code ?? "", mn, lo?.code ?? "", mn > 0 ? mx / mn : 0, mean, std, mean > 0 ? std / mean : 0)
    }
}

/// How a premium table groups its languages.
public enum PremiumGrouping: String, Sendable, CaseIterable {
    /// By ISO 15924 script (from the `_Xxxx` code suffix).
    case script
    /// By the family column of a language map.
    case family
}

/// Computes premium tables.
public enum TokenPremiums {
    /// Progress: jobs done of jobs total.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    /// Token counts and premiums of `tokenizers` on `corpus` relative to `reference`.
    /// - Parameters:
    ///   - references: per-language reference texts (pair files); nil means `reference` in the corpus.
    ///   - names: language code → (name, family) from a language map.
    /// - Throws: `CorpusError` when the reference language is missing; tokenizer errors name the language.
    public static func compute(corpus: ParallelCorpus, tokenizers: [(name: String, tokenizer: Tokenizer)], reference: String,
                               references: [String: ParallelText]? = nil, convention: TextConvention = .joined,
                               names: [String: (name: String?, family: String?)] = [:], threads: Int = 1,
                               progress: Progress? = nil) throws -> PremiumTable {
        var sides: [ParallelText] = corpus.languages
        var referenceIndex: [Int] = []
        if let references {
            // Each language has its own reference side: encode those too.
            for l in corpus.languages {
                guard let r = references[l.code] else {
                    throw CorpusError(message: "no reference side for \(l.code)", fix: "give pair files reference<TAB>translation")
                }
                referenceIndex.append(sides.count)
                sides.append(r)
            }
        } else {
            guard let r = corpus.languages.firstIndex(where: { $0.code == reference }) else {
                let available = corpus.languages.prefix(12).map(\.code).joined(separator: ", ")
                throw CorpusError(message: "the reference language \(reference) is not in the corpus (it has \(available)\(corpus.languages.count > 12 ? ", …" : ""))",
                                  fix: "pass --reference with one of the corpus's language codes")
            }
            referenceIndex = Array(repeating: r, count: corpus.languages.count)
        }
        let texts = sides.map { $0.texts(convention) }
        let labels = sides.map { "\($0.code) (\($0.files.joined(separator: ", ")))" }
        // Jobs: (side, tokenizer); each result is a per-text token count list.
        let jobCount = sides.count * tokenizers.count
        let done = Atomic<Int>(0)
        let results = try Parallel.map(count: jobCount, threads: threads) { job -> [Int] in
            let side = job / tokenizers.count, k = job % tokenizers.count
            defer { progress?(done.add(1, ordering: .relaxed).newValue, jobCount) }
            do {
                return try texts[side].map { try tokenizers[k].tokenizer.encode($0, specials: .asText).count }
            } catch {
                throw CorpusError(message: "cannot tokenize \(tokenizers[k].name) on \(labels[side]): \(error)",
                                  fix: "check the text's encoding (the tokenizer's normalizer needs valid UTF-8)")
            }
        }
        var rows: [PremiumRow] = []
        for (i, l) in corpus.languages.enumerated() {
            let r = referenceIndex[i]
            let bytes = texts[i].reduce(0) { $0 + $1.count }
            let referenceBytes = texts[r].reduce(0) { $0 + $1.count }
            var tokens: [Int] = [], premiums: [Double] = [], parity: [Double] = []
            for k in 0..<tokenizers.count {
                let mine = results[i * tokenizers.count + k], theirs = results[r * tokenizers.count + k]
                let ctc = mine.reduce(0, +), ref = theirs.reduce(0, +)
                tokens.append(ctc)
                premiums.append(ref > 0 ? Double(ctc) / Double(ref) : 0)
                if convention == .lines {
                    let ratios = zip(mine, theirs).compactMap { $1 > 0 ? Double($0) / Double($1) : nil }.sorted()
                    parity.append(ratios.isEmpty ? 0 : (ratios.count % 2 == 1 ? ratios[ratios.count / 2]
                                                        : (ratios[ratios.count / 2 - 1] + ratios[ratios.count / 2]) / 2))
                }
            }
            let characters = texts[i].reduce(0) { $0 + TokenizerStatistics.scalarCount($1) }
            rows.append(PremiumRow(code: l.code, script: l.script, name: names[l.code]?.name, family: names[l.code]?.family,
                                   bytes: bytes, characters: characters,
                                   bytePremium: referenceBytes > 0 ? Double(bytes) / Double(referenceBytes) : 0,
                                   tokens: tokens, premiums: premiums, sentenceParity: convention == .lines ? parity : nil))
        }
        rows.sort { ($0.premiums.first ?? 0, $1.code) > ($1.premiums.first ?? 0, $0.code) }
        return PremiumTable(tokenizers: tokenizers.map(\.name), reference: reference, convention: convention, rows: rows)
    }

    /// Reads a language map: TSV lines `code<TAB>name[<TAB>family]` (a first line starting with "code" is a header).
    public static func languageMap(_ bytes: [UInt8], file: String) throws -> [String: (name: String?, family: String?)] {
        var map: [String: (name: String?, family: String?)] = [:]
        for (i, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count == 1 && fields[0].isEmpty { continue }
            if i == 0 && fields[0].lowercased() == "code" { continue }
            guard fields.count >= 2, !fields[0].isEmpty else {
                throw CorpusError(message: "\(file):\(i + 1): expected code<TAB>name[<TAB>family]", fix: "fix the line or remove it")
            }
            map[fields[0]] = (fields[1].isEmpty ? nil : fields[1], fields.count > 2 && !fields[2].isEmpty ? fields[2] : nil)
        }
        return map
    }
}
