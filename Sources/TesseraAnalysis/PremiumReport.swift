// PremiumReport: a premium table as a report folder — premiums.csv, premiums.json, premiums.svg (the
// chart) and report.md — each written atomically.
//
// The chart is a horizontal bar chart, one row per language (sorted as the table), one bar per
// tokenizer in a fixed colour, on a log2 premium axis (premiums span 0.3…20, and equal ratios should
// look equal), with the parity line at 1. Rows are 4 px per tokenizer + 6 px, so 204 languages × 3
// tokenizers stay legible at full size.
// Complexity: O(languages × tokenizers).

import Foundation
import TesseraFormats

/// Writes premium reports.
public enum PremiumReport {
    /// Colours of the tokenizers' bars, in order (colour-blind-safe Okabe–Ito palette).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]

    /// Writes the four files into `folder` (created if needed); returns their paths.
    public static func write(_ table: PremiumTable, to folder: String, title: String, command: String?) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let files: [(String, String)] = [
            ("premiums.csv", csv(table)),
            ("premiums.json", json(table)),
            ("premiums.svg", svg(table, title: title)),
            ("report.md", markdown(table, title: title, command: command)),
        ]
        var written: [String] = []
        for (name, text) in files {
            let path = (folder as NSString).appendingPathComponent(name)
            try AtomicFile.write(Array(text.utf8), to: path)
            written.append(path)
        }
        return written
    }

    static func format(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }

    /// A CSV field, quoted when needed.
    public static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// One row per language: code, script, name, family, bytes, characters, byte premium, then per tokenizer
    /// its token count, premium (and sentence parity under `lines`).
    public static func csv(_ t: PremiumTable) -> String {
        var header = ["language", "script", "name", "family", "bytes", "characters", "byte_premium"]
        for name in t.tokenizers {
            header += ["tokens_\(name)", "premium_\(name)"]
            if t.convention == .lines { header.append("sentence_parity_\(name)") }
        }
        var out = header.map(csvField).joined(separator: ",") + "\n"
        for r in t.rows {
            var fields = [r.code, r.script ?? "", r.name ?? "", r.family ?? "", "\(r.bytes)", "\(r.characters)", format(r.bytePremium)]
            for k in 0..<t.tokenizers.count {
                fields += ["\(r.tokens[k])", format(r.premiums[k])]
                if let p = r.sentenceParity { fields.append(format(p[k])) }
            }
            out += fields.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A JSON string literal.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    public static func json(_ t: PremiumTable) -> String {
        var out = "{\n  \"reference\": \(quote(t.reference)),\n  \"convention\": \(quote(t.convention.rawValue)),\n"
        out += "  \"tokenizers\": [" + t.tokenizers.map(quote).joined(separator: ", ") + "],\n"
        out += "  \"spread\": {" + t.tokenizers.indices.map { k in
            let s = t.spread(tokenizer: k)
            return "\(quote(t.tokenizers[k])): {\"max\": \(format(s.max)), \"max_language\": \(quote(s.maxCode)), \"min\": \(format(s.min)), "
                + "\"min_language\": \(quote(s.minCode)), \"max_over_min\": \(format(s.ratio)), \"mean\": \(format(s.mean)), "
                + "\"std\": \(format(s.std)), \"cv\": \(format(s.cv))}"
        }.joined(separator: ", ") + "},\n"
        out += "  \"languages\": [\n"
        out += t.rows.map { r in
            var s = "    {\"language\": \(quote(r.code)), \"script\": \(r.script.map(quote) ?? "null"), "
            s += "\"name\": \(r.name.map(quote) ?? "null"), \"family\": \(r.family.map(quote) ?? "null"), "
            s += "\"bytes\": \(r.bytes), \"characters\": \(r.characters), \"byte_premium\": \(format(r.bytePremium)), "
            s += "\"tokens\": {" + t.tokenizers.indices.map { "\(quote(t.tokenizers[$0])): \(r.tokens[$0])" }.joined(separator: ", ") + "}, "
            s += "\"premium\": {" + t.tokenizers.indices.map { "\(quote(t.tokenizers[$0])): \(format(r.premiums[$0]))" }.joined(separator: ", ") + "}"
            if let p = r.sentenceParity {
                s += ", \"sentence_parity\": {" + t.tokenizers.indices.map { "\(quote(t.tokenizers[$0])): \(format(p[$0]))" }.joined(separator: ", ") + "}"
            }
            return s + "}"
        }.joined(separator: ",\n")
        out += "\n  ]\n}\n"
        return out
    }

    public static func markdown(_ t: PremiumTable, title: String, command: String?) -> String {
        var out = "# \(title)\n\n"
        if let command { out += "Command: `\(command)`\n\n" }
        out += "Reference language: `\(t.reference)`; text convention: `\(t.convention.rawValue)`; \(t.rows.count) languages. "
        out += "Token premium = tokens of the language / tokens of the reference on the same sentences. Chart: `premiums.svg`.\n\n"
        out += "| tokenizer | reference tokens | max premium | min premium | max / min | mean | std | CV |\n|---|---:|---|---|---:|---:|---:|---:|\n"
        let referenceRow = t.rows.first { $0.code == t.reference }
        for (k, name) in t.tokenizers.enumerated() {
            let s = t.spread(tokenizer: k)
            out += "| \(name) | \(referenceRow.map { "\($0.tokens[k])" } ?? "–") | \(format(s.max, 2)) (\(s.maxCode)) | "
            out += "\(format(s.min, 2)) (\(s.minCode)) | \(format(s.ratio, 2)) | \(format(s.mean, 2)) | \(format(s.std, 2)) | \(format(s.cv, 3)) |\n"
        }
        out += "\n## All languages (sorted by the premium of \(t.tokenizers.first ?? ""))\n\n"
        if let g = t.grouping { out += "Rows are grouped by \(g.rawValue) (groups ordered by their highest premium).\n\n" }
        out += "| language | script | byte premium | " + t.tokenizers.map { "\($0) tokens | \($0) premium" }.joined(separator: " | ") + " |\n"
        out += "|---|---|---:|" + String(repeating: "---:|---:|", count: t.tokenizers.count) + "\n"
        for r in t.rows {
            out += "| \(r.code)\(r.name.map { " (\($0))" } ?? "") | \(r.script ?? "") | \(format(r.bytePremium, 2)) | "
            out += t.tokenizers.indices.map { "\(r.tokens[$0]) | \(format(r.premiums[$0], 2))" }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Text escaped for SVG/XML.
    public static func escapeXML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    public static func svg(_ t: PremiumTable, title: String) -> String {
        let barHeight = 4.0, gap = 6.0
        let rowHeight = barHeight * Double(t.tokenizers.count) + gap
        let labelWidth = 210.0, plotWidth = 760.0, top = 70.0, bottom = 40.0
        let height = top + rowHeight * Double(t.rows.count) + bottom
        let width = labelWidth + plotWidth + 30
        let all = t.rows.flatMap(\.premiums).filter { $0 > 0 }
        let lo = floor(log2(min(all.min() ?? 0.5, 1))), hi = ceil(log2(max(all.max() ?? 2, 1)))
        let span = max(hi - lo, 1)
        func x(_ premium: Double) -> Double { labelWidth + plotWidth * (log2(max(premium, 1e-9)) - lo) / span }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(labelWidth)" y="22" font-size="16" font-weight="bold">\(escapeXML(title))</text>

        """
        // Legend.
        for (k, name) in t.tokenizers.enumerated() {
            let lx = labelWidth + Double(k) * 150
            out += "<rect x=\"\(lx)\" y=\"34\" width=\"12\" height=\"12\" fill=\"\(palette[k % palette.count])\"/>"
            out += "<text x=\"\(lx + 16)\" y=\"45\" font-size=\"12\">\(escapeXML(name))</text>\n"
        }
        // Grid: powers of two, with the parity line at 1 emphasised.
        var e = lo
        while e <= hi {
            let value = pow(2, e)
            let gx = x(value)
            let label = value >= 1 ? String(format: "%g×", value) : String(format: "%g×", value)
            out += "<line x1=\"\(gx)\" y1=\"\(top - 6)\" x2=\"\(gx)\" y2=\"\(height - bottom + 4)\" stroke=\"\(value == 1 ? "#333" : "#ddd")\" stroke-width=\"\(value == 1 ? 1.5 : 1)\"/>"
            out += "<text x=\"\(gx)\" y=\"\(top - 10)\" font-size=\"10\" text-anchor=\"middle\">\(label)</text>"
            out += "<text x=\"\(gx)\" y=\"\(height - bottom + 16)\" font-size=\"10\" text-anchor=\"middle\">\(label)</text>\n"
            e += 1
        }
        out += "<text x=\"\(labelWidth + plotWidth / 2)\" y=\"\(height - 8)\" font-size=\"11\" text-anchor=\"middle\">token premium relative to \(escapeXML(t.reference)) (log scale; 1× = parity)</text>\n"
        var previousGroup: String? = nil
        for (i, r) in t.rows.enumerated() {
            let y0 = top + Double(i) * rowHeight
            if let g = t.group(of: r), g != previousGroup {
                // A rule and the group's name where a new group starts.
                out += "<line x1=\"\(labelWidth - 200)\" y1=\"\(y0)\" x2=\"\(labelWidth + plotWidth)\" y2=\"\(y0)\" stroke=\"#888\" stroke-width=\"0.6\"/>"
                out += "<text x=\"\(labelWidth + plotWidth - 4)\" y=\"\(y0 + 9)\" font-size=\"9\" text-anchor=\"end\" fill=\"#555\">\(escapeXML(g))</text>\n"
                previousGroup = g
            }
            let label = r.code + (r.name.map { " \($0)" } ?? "")
            out += "<text x=\"\(labelWidth - 6)\" y=\"\(y0 + rowHeight / 2 + 1)\" font-size=\"9\" text-anchor=\"end\" dominant-baseline=\"middle\">\(escapeXML(label))</text>"
            for k in 0..<t.tokenizers.count {
                let p = r.premiums[k]
                let x0 = x(1), x1 = x(p)
                let bx = min(x0, x1), bw = max(abs(x1 - x0), 0.8)
                out += "<rect x=\"\(format(bx, 1))\" y=\"\(format(y0 + 3 + Double(k) * barHeight, 1))\" width=\"\(format(bw, 1))\" height=\"\(barHeight - 0.5)\" fill=\"\(palette[k % palette.count])\"><title>\(escapeXML(r.code)) \(escapeXML(t.tokenizers[k])): \(format(p, 2))×</title></rect>"
            }
            out += "\n"
        }
        out += "</svg>\n"
        return out
    }
}
