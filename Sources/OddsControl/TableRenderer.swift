/// Lays out rows of text as aligned columns for a terminal, and values as `key: value`
/// lines. Widths are display widths, so a name in Japanese or with accents lines up; cells are
/// made safe for the terminal first.
///
/// ```
/// ID  EVENT  STATUS     VERSION
/// m1  e1     open            42
/// m2  e1     suspended        7
/// ```
struct TableRenderer: Sendable {
    enum Alignment: Sendable {
        case left
        case right
    }

    struct Column: Sendable {
        let title: String
        let alignment: Alignment

        init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    let columns: [Column]
    /// Spaces between two columns.
    static let gap = 2

    init(_ columns: [Column]) {
        self.columns = columns
    }

    /// The title line and one line per row, each newline-terminated, without trailing
    /// spaces. A row with fewer cells than columns is padded with empty cells; extra cells
    /// are dropped.
    func render(_ rows: [[String]]) -> String {
        let cells = rows.map { row in
            columns.indices.map { index in
                index < row.count ? TerminalText.sanitized(row[index]) : ""
            }
        }
        var widths = columns.map { TerminalText.width($0.title) }
        for row in cells {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], TerminalText.width(cell))
            }
        }

        var output = ""
        for row in [columns.map(\.title)] + cells {
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(
                    repeating: " ", count: widths[index] - TerminalText.width(cell))
                if index > 0 {
                    line += String(repeating: " ", count: Self.gap)
                }
                line += columns[index].alignment == .right ? padding + cell : cell + padding
            }
            output += line.trimmingTrailingSpaces() + "\n"
        }
        return output
    }

    /// `key: value` lines with the values aligned, each newline-terminated.
    static func listing(_ pairs: [(key: String, value: String)]) -> String {
        let width = pairs.map { TerminalText.width($0.key) }.max() ?? 0
        return pairs.map { pair in
            let padding = String(repeating: " ", count: width - TerminalText.width(pair.key))
            return "\(pair.key):\(padding) \(TerminalText.sanitized(pair.value))"
                .trimmingTrailingSpaces() + "\n"
        }.joined()
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " {
            copy.removeLast()
        }
        return copy
    }
}
