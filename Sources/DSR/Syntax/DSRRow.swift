import DDEXModel

/// One record's cells, viewed in the line buffer: valid only while the parser is on that line.
///
/// Accessors make a `String` only for the cells a typed record keeps, decode escapes only when the line
/// has a backslash, and throw `DSRError`s that name the file, line, cell and column.
struct DSRRow {
    let line: UnsafeRawBufferPointer
    let bounds: UnsafeBufferPointer<Int>
    let escaped: Bool
    let layout: RecordLayout
    let file: String
    let lineNumber: Int

    var cellCount: Int { bounds.count / 2 }

    func raw(_ index: Int) -> UnsafeRawBufferPointer {
        guard index < cellCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: line[bounds[2 * index]..<bounds[2 * index + 1]])
    }

    func isEmpty(_ index: Int?) -> Bool {
        guard let index, index < cellCount else { return true }
        return bounds[2 * index] == bounds[2 * index + 1]
    }

    func error(_ kind: DSRError.Code, _ index: Int, _ message: String) -> DSRError {
        DSRError(kind, file: file, line: lineNumber, cell: index + 1, column: layout.columnName(at: index), message)
    }

    private func hasBackslash(_ cell: UnsafeRawBufferPointer) -> Bool {
        escaped && cell.contains(CellEscapes.backslash)
    }

    /// The cell's bytes with escapes decoded (into `arena` when it has any), without making a `String`; empty when
    /// the version lacks the cell or it is missing.
    @inline(__always)
    func bytes(_ index: Int?, decodingInto arena: inout DecodeArena) -> DSRCellBytes {
        guard let index else { return .empty }
        let cell = raw(index)
        if cell.isEmpty { return .empty }
        if hasBackslash(cell) { return DSRCellBytes(arena.keep(CellEscapes.decode(cell, splitValues: false)[0])) }
        return DSRCellBytes(cell)
    }

    /// The cell as text with escapes decoded; "" when the version lacks the cell or it is missing.
    func text(_ index: Int?) -> String {
        guard let index else { return "" }
        let cell = raw(index)
        if cell.isEmpty { return "" }
        if hasBackslash(cell) {
            return String(decoding: CellEscapes.decode(cell, splitValues: false)[0], as: UTF8.self)
        }
        return String(decoding: cell, as: UTF8.self)
    }

    /// The `|`-separated values of a multi-value cell, escapes decoded, empty values dropped.
    func values(_ index: Int?) -> [String] {
        guard let index else { return [] }
        let cell = raw(index)
        if cell.isEmpty { return [] }
        if !hasBackslash(cell) && !cell.contains(CellEscapes.pipe) { return [String(decoding: cell, as: UTF8.self)] }
        return CellEscapes.decode(cell, splitValues: true).compactMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
    }

    /// A cell that must not be empty.
    func required(_ index: Int?, _ what: String) throws(DSRError) -> String {
        guard let index else { return "" }
        let value = text(index)
        if value.isEmpty { throw error(.cellInvalid, index, "\(what) is empty; \(layout.recordType) requires it") }
        return value
    }

    /// A whole number (digits, with a leading `-` when `allowNegative`); nil when the cell is empty.
    func integer(_ index: Int?, allowNegative: Bool = false) throws(DSRError) -> Int64? {
        guard let index else { return nil }
        let cell = raw(index)
        if cell.isEmpty { return nil }
        var negative = false
        var value: Int64 = 0
        var digits = 0
        for (offset, byte) in cell.enumerated() {
            if offset == 0, byte == 0x2D, allowNegative { negative = true; continue }
            guard byte >= 0x30, byte <= 0x39, digits < 18 else {
                throw error(.cellInvalid, index, "'\(text(index))' is not a whole number\(allowNegative ? "" : " ≥ 0") of at most 18 digits")
            }
            value = value * 10 + Int64(byte - 0x30)
            digits += 1
        }
        guard digits > 0 else { throw error(.cellInvalid, index, "'\(text(index))' is not a whole number") }
        return negative ? -value : value
    }

    func requiredInteger(_ index: Int?, _ what: String, allowNegative: Bool = false) throws(DSRError) -> Int64 {
        guard let index else { return 0 }
        guard let value = try integer(index, allowNegative: allowNegative) else {
            throw error(.cellInvalid, index, "\(what) is empty; \(layout.recordType) requires it")
        }
        return value
    }

    /// An exact decimal amount in micro-units (half-even beyond six decimals); nil when empty.
    func money(_ index: Int?) throws(DSRError) -> MicroAmount? {
        guard let index, !isEmpty(index) else { return nil }
        let value = text(index)
        do {
            return try MicroAmount(parsing: value)
        } catch {
            throw self.error(.cellInvalid, index, "'\(value)' is not a decimal amount: \(error.reason)")
        }
    }

    /// `true`/`false` in any case (the samples write `TRUE`); nil when empty.
    func boolean(_ index: Int?) throws(DSRError) -> Bool? {
        guard let index, !isEmpty(index) else { return nil }
        let cell = raw(index)
        // ASCII case folding on the bytes: `TRUE`, `True`, `true`.
        func matches(_ word: StaticString) -> Bool {
            guard cell.count == word.utf8CodeUnitCount else { return false }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            return zip(cell, expected).allSatisfy { $0 | 0x20 == $1 }
        }
        if matches("true") { return true }
        if matches("false") { return false }
        throw error(.cellInvalid, index, "'\(text(index))' is not true or false")
    }
}
