// Id layouts of the formats that fix ids by position instead of storing them:
// - minbpe: byte b is id b; merge k (in file order) creates id 256 + k; special tokens name their own ids;
// - tekken: the S special tokens are ids 0..<S; then vocabulary rank r is id S + r, where ranks 0..<256 are
//   the single bytes in byte order and the other tokens follow densely in rank order.
// A tokenizer whose ids already follow the layout keeps them; any other gets a renumbering, which the
// writers report as a loss (ids change) with the rule, so users can map ids (the parity check does).
//
// Invariant: the map is injective on the tokens it keeps, and keeps the relative order of multi-byte tokens
// (so rank order, the merge priority of tekken, is unchanged). Complexity: O(vocabulary + merges).

import TesseraBPE
import TesseraTokenizer

/// Old id → new id for the tokens a fixed layout keeps.
struct IDLayout {
    /// Indexed by old id; `TokenID.max` where the old id has no new one.
    private(set) var newIDs: [TokenID]
    /// How many kept tokens change id.
    private(set) var changed = 0

    init(upperBound: Int) { newIDs = [TokenID](repeating: .max, count: upperBound) }

    mutating func assign(_ old: TokenID, _ new: TokenID) {
        if Int(old) >= newIDs.count { newIDs.append(contentsOf: repeatElement(TokenID.max, count: Int(old) + 1 - newIDs.count)) }
        newIDs[Int(old)] = new
        if old != new { changed += 1 }
    }

    subscript(_ old: TokenID) -> TokenID? {
        Int(old) < newIDs.count && newIDs[Int(old)] != .max ? newIDs[Int(old)] : nil
    }

    /// The renumbering rule, for the report.
    func describe(_ rule: String, example old: TokenID?) -> String {
        var s = "\(changed) id(s) change (\(rule))"
        if let old, let new = self[old] { s += ", e.g. \(old) → \(new)" }
        return s
    }

    /// The first old id whose new id differs.
    var firstChanged: TokenID? {
        newIDs.indices.first { newIDs[$0] != .max && newIDs[$0] != TokenID($0) }.map { TokenID($0) }
    }
}

extension BPEExport {
    /// minbpe's layout for `merges`; merges whose sides have no id (tokens no merge builds) are dropped.
    /// Returns the layout and the kept merges in new ids.
    func minbpeLayout(_ merges: Merges, _ report: inout ConversionReport) -> (IDLayout, [MergePair]) {
        var layout = IDLayout(upperBound: max(vocabulary.idUpperBound, tokenizer.idUpperBound))
        for b in 0..<256 { layout.assign(vocabulary.idOfByte[b], TokenID(b)) }
        var kept: [MergePair] = []
        kept.reserveCapacity(merges.pairs.count)
        var dropped: [TokenID] = []
        var duplicate: [TokenID] = []
        for (pair, result) in zip(merges.pairs, merges.results) {
            guard let l = layout[pair.left], let r = layout[pair.right] else { dropped.append(result); continue }
            if layout[result] != nil { duplicate.append(result); continue }
            layout.assign(result, TokenID(256 + kept.count))
            kept.append(MergePair(l, r))
        }
        if !dropped.isEmpty {
            report.lost("\(dropped.count) merge(s) use a token that no merge builds, so minbpe cannot number them; they and "
                        + "their results are dropped (first \(dropped.prefix(3).map { "\($0) \(show($0))" }.joined(separator: ", ")))")
        }
        if !duplicate.isEmpty {
            report.lost("\(duplicate.count) merge(s) produce a token an earlier merge already produces; minbpe would give it a "
                        + "second id, so they are dropped (first \(duplicate.prefix(3).map { "\($0) \(show($0))" }.joined(separator: ", ")))")
        }
        let missing = (0..<vocabulary.idUpperBound).filter { vocabulary.contains(TokenID($0)) && layout[TokenID($0)] == nil }
        if !missing.isEmpty {
            report.lost("\(missing.count) token(s) get no minbpe id (a minbpe vocabulary is the 256 bytes plus one token per "
                        + "merge) and are dropped (first \(missing.prefix(3).map { "\($0) \(show(TokenID($0)))" }.joined(separator: ", ")))")
        }
        // Specials keep their ids unless those belong to a merge result now.
        var next = TokenID(256 + kept.count)
        let firstFree = next
        for s in specials {
            if s.id >= firstFree {
                layout.assign(s.id, s.id)
            } else {
                while specials.contains(where: { $0.id == next }) { next += 1 }
                layout.assign(s.id, next)
                next += 1
            }
        }
        return (layout, kept)
    }

    /// tekken's layout: specials first, then bytes in byte order, then the other tokens in id (rank) order.
    func tekkenLayout() -> IDLayout {
        var layout = IDLayout(upperBound: max(vocabulary.idUpperBound, tokenizer.idUpperBound))
        let s = TokenID(specials.count)
        for (i, special) in specials.enumerated() { layout.assign(special.id, TokenID(i)) }
        for b in 0..<256 { layout.assign(vocabulary.idOfByte[b], s + TokenID(b)) }
        var next = s + 256
        for id in 0..<vocabulary.idUpperBound where vocabulary.byteCount(of: TokenID(id)) >= 2 {
            layout.assign(TokenID(id), next)
            next += 1
        }
        return layout
    }
}
