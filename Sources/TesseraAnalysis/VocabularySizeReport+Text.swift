// Markdown and JSON renderings of a vocabulary-size run: the fitted curves, the chosen sizes, and the
// spread of corpus token counts and premiums at the common size, at the chosen sizes and (optionally)
// with superword BPE at the common size.

import Foundation

/// Text renderings of `VocabularySizeReport`.
public enum VocabularySizeReportText {
    static func f(_ x: Double, _ d: Int = 3) -> String { String(format: "%.\(d)f", x) }

    /// Premiums of `tokens` against the reference language's entry.
    static func premiums(_ r: VocabularySizeReport, _ tokens: (VocabularySizeResult) -> Int?) -> [Double] {
        guard let ref = r.languages.first(where: { $0.code == r.reference }).flatMap(tokens), ref > 0 else { return [] }
        return r.languages.compactMap { tokens($0).map { Double($0) / Double(ref) } }
    }

    static func premiumRatio(_ p: [Double]) -> Double {
        guard let lo = p.min(), let hi = p.max(), lo > 0 else { return 0 }
        return hi / lo
    }

    public static func markdown(_ r: VocabularySizeReport, command: String, seconds: Double) -> String {
        var out = "# Per-language vocabulary sizes\n\nCommand: `\(command)` (\(f(seconds, 1)) s)\n\n"
        out += "Fit: CTC = a + b·ln V over the grid \(r.settings.grid.map(String.init).joined(separator: ", ")); "
        out += "target CTC* = median CTC at V = \(r.settings.referenceSize) = \(f(r.targetTokens, 1)); "
        out += "V* = exp((CTC* − a)/b) clamped to [\(r.settings.minimumSize), \(r.settings.maximumSize)]; pre-tokenizer \(r.settings.pattern.rawValue).\n\n"
        out += "| language | " + r.settings.grid.map { "CTC@\($0)" }.joined(separator: " | ")
        out += " | a | b | CTC@\(r.settings.referenceSize) | V* | CTC@V* |" + (r.languages.first?.superwordTokens != nil ? " superword CTC@\(r.settings.referenceSize) |" : "") + "\n"
        out += "|---|" + String(repeating: "---:|", count: r.settings.grid.count + 5 + (r.languages.first?.superwordTokens != nil ? 1 : 0)) + "\n"
        for l in r.languages {
            out += "| \(l.code) | " + l.curve.map { "\($0.tokens)" }.joined(separator: " | ")
            out += " | \(f(l.intercept, 0)) | \(f(l.slope, 0)) | \(l.referenceTokens) | \(l.optimalSize) | \(l.optimalTokens) |"
            if let s = l.superwordTokens { out += " \(s) |" }
            out += "\n"
        }
        let before = VocabularySizeReport.spread(r.languages.map(\.referenceTokens))
        let after = VocabularySizeReport.spread(r.languages.map(\.optimalTokens))
        out += "\n| setting | CTC max/min | CTC std | CTC CV | premium max/min (vs \(r.reference)) |\n|---|---:|---:|---:|---:|\n"
        out += "| same size V = \(r.settings.referenceSize) | \(f(before.ratio)) | \(f(before.std, 1)) | \(f(before.cv)) | \(f(premiumRatio(premiums(r) { $0.referenceTokens }))) |\n"
        out += "| per-language V* | \(f(after.ratio)) | \(f(after.std, 1)) | \(f(after.cv)) | \(f(premiumRatio(premiums(r) { $0.optimalTokens }))) |\n"
        if r.languages.allSatisfy({ $0.superwordTokens != nil }) {
            let sw = VocabularySizeReport.spread(r.languages.compactMap(\.superwordTokens))
            out += "| superword, V = \(r.settings.referenceSize) | \(f(sw.ratio)) | \(f(sw.std, 1)) | \(f(sw.cv)) | \(f(premiumRatio(premiums(r) { $0.superwordTokens }))) |\n"
        }
        return out
    }

    public static func json(_ r: VocabularySizeReport) -> String {
        var out = "{\"grid\": [\(r.settings.grid.map(String.init).joined(separator: ", "))], \"reference_size\": \(r.settings.referenceSize), "
        out += "\"target_ctc\": \(f(r.targetTokens, 2)), \"reference\": \"\(r.reference)\", \"languages\": [\n"
        out += r.languages.map { l in
            "  {\"language\": \"\(l.code)\", \"curve\": [" + l.curve.map { "[\($0.size), \($0.tokens)]" }.joined(separator: ", ")
                + "], \"a\": \(f(l.intercept, 4)), \"b\": \(f(l.slope, 4)), \"ctc_reference_size\": \(l.referenceTokens), "
                + "\"optimal_size\": \(l.optimalSize), \"ctc_optimal\": \(l.optimalTokens), \"superword_ctc\": \(l.superwordTokens.map(String.init) ?? "null")}"
        }.joined(separator: ",\n")
        return out + "\n]}\n"
    }
}
