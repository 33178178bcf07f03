import DDEXModel

/// A horizontal bar chart as inline SVG: one bar per row, negative values to the left of a zero line.
/// Bar lengths come from integer micro-units scaled to pixels; labels are escaped.
enum SVGBarChart {
    static let palette = ["#2f5fd0", "#1b998b", "#e07a1f", "#8f4ad9", "#d1495b", "#3e8ed0", "#6a994e", "#b08600"]

    /// At most `limit` rows are drawn; the rest are summed into "Other".
    static func render(title: String, rows: [(name: String, amount: MicroAmount)], currency: String, limit: Int = 10) -> String {
        var shown = Array(rows.prefix(limit))
        if rows.count > limit {
            let rest = rows.dropFirst(limit).reduce(MicroAmount.zero) { $0 + $1.amount }
            shown.append(("Other (\(rows.count - limit))", rest))
        }
        let width = 480, labelWidth = 150, valueWidth = 96, barHeight = 20, gap = 8, top = 4
        let plot = width - labelWidth - valueWidth
        let height = top * 2 + max(shown.count, 1) * (barHeight + gap)
        let maxValue = max(shown.map(\.amount.micro).max() ?? 0, 0)
        let minValue = min(shown.map(\.amount.micro).min() ?? 0, 0)
        let span = Double(maxValue) - Double(minValue)
        // Pixels only: exact amounts are printed beside each bar.
        func x(_ v: Int64) -> Double { span == 0 ? 0 : (Double(v) - Double(minValue)) / span * Double(plot) }
        let zero = Double(labelWidth) + x(0)
        var svg = "<svg role=\"img\" viewBox=\"0 0 \(width) \(height)\" width=\"100%\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        if shown.isEmpty {
            svg += "<text x=\"0\" y=\"\(top + 14)\" font-size=\"12\" fill=\"#5b6475\">No earnings in this period</text>"
        }
        for (i, row) in shown.enumerated() {
            let y = top + i * (barHeight + gap)
            let x0 = Double(labelWidth) + min(x(row.amount.micro), x(0))
            let w = max(abs(x(row.amount.micro) - x(0)), row.amount.micro == 0 ? 0 : 1)
            let color = row.amount < .zero ? "#d1495b" : palette[i % palette.count]
            let label = row.name.count > 22 ? String(row.name.prefix(21)) + "…" : row.name
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 14)\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2330\">\(HTML.escape(label))</text>"
            svg += "<rect x=\"\(fmt(x0))\" y=\"\(y)\" width=\"\(fmt(w))\" height=\"\(barHeight)\" rx=\"3\" fill=\"\(color)\"><title>\(HTML.escape(row.name)): \(HTML.escape(HTML.money(row.amount, currency))) \(HTML.escape(currency))</title></rect>"
            svg += "<text x=\"\(width - 4)\" y=\"\(y + 14)\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2330\">\(HTML.escape(HTML.money(row.amount, currency)))</text>"
        }
        if minValue < 0 {
            svg += "<line x1=\"\(fmt(zero))\" x2=\"\(fmt(zero))\" y1=\"0\" y2=\"\(height)\" stroke=\"#5b6475\" stroke-width=\"1\"/>"
        }
        return svg + "</svg>"
    }

    private static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
