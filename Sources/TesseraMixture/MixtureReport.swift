// MixtureReport: an inferred mixture as a text table, JSON, CSV and an SVG bar chart (one horizontal
// bar per category, sorted by share, linear 0…max axis), in the style of PremiumReport and with its
// escaping helpers. Writers are atomic (AtomicFile).
// Complexity: O(categories).

import Foundation
import TesseraAnalysis
import TesseraFormats

/// Renders mixture results.
public enum MixtureReport {
    static func percent(_ x: Double) -> String { String(format: "%.2f", 100 * x) }

    /// The sorted table with the LP summary under it.
    public static func table(_ r: MixtureResult) -> String {
        let rows = r.sorted
        let width = max(8, rows.map(\.name.count).max() ?? 8)
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func left(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
        var out = pad("category", width) + "  " + left("bytes %", 8) + "  " + left("α (pairs)", 10) + "  " + left("sample MB", 9) + "\n"
        for s in rows {
            out += pad(s.name, width) + "  " + left(percent(s.byteShare), 8) + "  " + left(String(format: "%.5f", s.pairWeight), 10)
                + "  " + left(String(format: "%.2f", Double(s.sampleBytes) / 1e6), 9) + "\n"
        }
        out += summary(r)
        return out
    }

    /// One line on the LP: merges, rows, columns, rounds, objective, solver.
    public static func summary(_ r: MixtureResult) -> String {
        "\(r.merges) merges (\(r.activeSteps) constrained: seen in the samples); LP \(r.rows) rows × \(r.columns) columns after \(r.rounds) rounds "
            + "(peak \(r.peakRows) rows; \(r.rowsAdded) added, \(r.rowsDropped) dropped), \(r.simplexIterations) simplex iterations, objective \(String(format: "%.3g", r.objective))"
            + (r.converged ? "" : " (NOT converged: round limit)") + "; \(r.solver) on the \(r.formulation.rawValue) LP"
            + String(format: "; scan %.2f s, solver %.2f s\n", r.scanSeconds, r.solveSeconds)
    }

    public static func json(_ r: MixtureResult) -> String {
        let q = PremiumReport.quote
        var out = "{\n  \"merges\": \(r.merges),\n  \"active_merges\": \(r.activeSteps),\n  \"rows\": \(r.rows),\n  \"columns\": \(r.columns),\n"
        out += "  \"rounds\": \(r.rounds),\n  \"peak_rows\": \(r.peakRows),\n  \"rows_added\": \(r.rowsAdded),\n  \"rows_dropped\": \(r.rowsDropped),\n"
        out += "  \"simplex_iterations\": \(r.simplexIterations),\n"
        out += "  \"objective\": \(String(format: "%.9g", r.objective)),\n  \"converged\": \(r.converged),\n  \"solver\": \(q(r.solver)),\n"
        out += "  \"formulation\": \(q(r.formulation.rawValue)),\n  \"scan_seconds\": \(String(format: "%.3f", r.scanSeconds)),\n"
        out += "  \"solver_seconds\": \(String(format: "%.3f", r.solveSeconds)),\n"
        out += "  \"categories\": [\n"
        out += r.sorted.map { s in
            "    {\"name\": \(q(s.name)), \"byte_share\": \(String(format: "%.9f", s.byteShare)), "
                + "\"pair_weight\": \(String(format: "%.9f", s.pairWeight)), \"sample_bytes\": \(s.sampleBytes), \"sample_pairs\": \(s.samplePairs)}"
        }.joined(separator: ",\n")
        return out + "\n  ]\n}\n"
    }

    public static func csv(_ r: MixtureResult) -> String {
        var out = "category,byte_share,pair_weight,sample_bytes,sample_pairs\n"
        for s in r.sorted {
            out += "\(PremiumReport.csvField(s.name)),\(String(format: "%.9f", s.byteShare)),\(String(format: "%.9f", s.pairWeight)),"
                + "\(s.sampleBytes),\(s.samplePairs)\n"
        }
        return out
    }

    /// A horizontal bar chart of the byte shares.
    public static func svg(_ r: MixtureResult, title: String) -> String {
        let rows = r.sorted
        let rowHeight = 18.0, labelWidth = 180.0, plotWidth = 600.0, top = 50.0, bottom = 40.0
        let height = top + rowHeight * Double(rows.count) + bottom, width = labelWidth + plotWidth + 80
        let maxShare = max(rows.first?.byteShare ?? 1, 1e-9)
        let esc = PremiumReport.escapeXML
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(labelWidth)" y="22" font-size="16" font-weight="bold">\(esc(title))</text>

        """
        for (k, s) in rows.enumerated() {
            let y = top + rowHeight * Double(k)
            let w = plotWidth * s.byteShare / maxShare
            out += "<text x=\"\(labelWidth - 6)\" y=\"\(y + rowHeight / 2 + 4)\" font-size=\"12\" text-anchor=\"end\">\(esc(s.name))</text>"
            out += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(String(format: "%.1f", w))\" height=\"\(rowHeight - 4)\" fill=\"#0072B2\"/>"
            out += "<text x=\"\(String(format: "%.1f", labelWidth + w + 4))\" y=\"\(y + rowHeight / 2 + 4)\" font-size=\"11\">\(percent(s.byteShare)) %</text>\n"
        }
        out += "<text x=\"\(labelWidth + plotWidth / 2)\" y=\"\(height - 12)\" font-size=\"11\" text-anchor=\"middle\">inferred share of training bytes; "
        out += "\(r.merges) merges, LP \(r.rows) rows × \(r.columns) columns, \(r.rounds) rounds</text>\n</svg>\n"
        return out
    }

    /// Writes `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try AtomicFile.write(Array(text.utf8), to: path)
    }
}
