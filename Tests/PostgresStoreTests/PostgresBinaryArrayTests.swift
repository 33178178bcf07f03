import NIOCore
import PostgresNIO
@testable import PostgresStore
import Store
import XCTest

/// The binary arrays a statement run's pages arrive in: read in place, every length checked against the cell.
final class PostgresBinaryArrayTests: XCTestCase {
    /// `array_send`'s layout: dimensions, flags, element type, then per dimension size and lower bound, then each
    /// element as a length (-1 for NULL) and its bytes.
    private func cell(type: UInt32, dimensions: Int32 = 1, size: Int32? = nil, elements: [[UInt8]?], truncatedBy cut: Int = 0,
                      format: PostgresFormat = .binary) -> PostgresCell {
        var buffer = ByteBuffer()
        buffer.writeInteger(dimensions)
        buffer.writeInteger(Int32(elements.contains { $0 == nil } ? 1 : 0))
        buffer.writeInteger(type)
        if dimensions > 0 {
            buffer.writeInteger(size ?? Int32(elements.count))
            buffer.writeInteger(Int32(1))
        }
        for element in elements {
            if let element {
                buffer.writeInteger(Int32(element.count))
                buffer.writeBytes(element)
            } else {
                buffer.writeInteger(Int32(-1))
            }
        }
        buffer.moveWriterIndex(to: buffer.writerIndex - cut)
        return PostgresCell(bytes: buffer, dataType: .textArray, format: format, columnName: "isrcs", columnIndex: 0)
    }

    private func texts(_ array: PostgresBinaryArray) throws -> [String?] {
        var texts: [String?] = []
        try array.forEachElement(of: .text) { bytes in texts.append(bytes.map { String(decoding: $0, as: UTF8.self) }) }
        return texts
    }

    private func int8(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    func testElementsAreReadInOrderWithTheirNulls() throws {
        let array = try PostgresBinaryArray(cell(type: 25, elements: [Array("USRC17607839".utf8), nil, [], Array("é".utf8)]))
        XCTAssertEqual(array.count, 4)
        XCTAssertEqual(try texts(array), ["USRC17607839", nil, "", "é"])
        let numbers = try PostgresBinaryArray(cell(type: 20, elements: [int8(7), nil, int8(-5_000_000), int8(.max)]))
        XCTAssertEqual(try numbers.integers(), [7, nil, -5_000_000, .max])
    }

    func testANullCellAndAnEmptyArrayHoldNoElement() throws {
        let null = try PostgresBinaryArray(PostgresCell(bytes: nil, dataType: .textArray, format: .binary, columnName: "isrcs", columnIndex: 0))
        XCTAssertEqual(null.count, 0)
        XCTAssertEqual(try texts(null), [])
        let empty = try PostgresBinaryArray(cell(type: 25, dimensions: 0, elements: []))
        XCTAssertEqual(try texts(empty), [])
    }

    func testCellsThatAreNotSuchArraysAreDecodeErrorsNamingTheColumn() throws {
        func rejected(_ what: String, _ read: () throws -> Void) {
            XCTAssertThrowsError(try read(), what) { error in
                XCTAssertEqual((error as? StoreError)?.kind, .decode, "\(what): \(error)")
                XCTAssertTrue("\(error)".contains("isrcs"), "\(what): \(error)")
            }
        }
        let text = Array("USRC17607839".utf8)
        rejected("an element cut short") { _ = try texts(PostgresBinaryArray(cell(type: 25, elements: [text], truncatedBy: 3))) }
        rejected("a length cut short") { _ = try texts(PostgresBinaryArray(cell(type: 25, elements: [text], truncatedBy: text.count + 2))) }
        rejected("more elements announced than the cell holds") { _ = try texts(PostgresBinaryArray(cell(type: 25, size: 2, elements: [text]))) }
        rejected("two dimensions") { _ = try PostgresBinaryArray(cell(type: 25, dimensions: 2, elements: [text])) }
        rejected("a negative size") { _ = try PostgresBinaryArray(cell(type: 25, size: -1, elements: [])) }
        rejected("no header") { _ = try PostgresBinaryArray(cell(type: 25, dimensions: 1, elements: [], truncatedBy: 12)) }
        rejected("text format") { _ = try PostgresBinaryArray(cell(type: 25, elements: [text], format: .text)) }
        rejected("texts read as integers") { _ = try PostgresBinaryArray(cell(type: 25, elements: [text])).integers() }
        rejected("integers read as texts") { _ = try texts(PostgresBinaryArray(cell(type: 20, elements: [int8(1)]))) }
        rejected("an integer of 4 bytes") { _ = try PostgresBinaryArray(cell(type: 20, elements: [[0, 0, 0, 1]])).integers() }
    }
}

/// A page of a statement run's lines: its arrays become lines in report order, or an error when they are not.
final class LinePageTests: XCTestCase {
    private func array(_ name: String, _ type: UInt32, _ elements: [[UInt8]?]) throws -> PostgresBinaryArray {
        var buffer = ByteBuffer()
        for value: Int32 in [1, 0] { buffer.writeInteger(value) }
        buffer.writeInteger(type)
        for value: Int32 in [Int32(elements.count), 1] { buffer.writeInteger(value) }
        for element in elements {
            buffer.writeInteger(Int32(element?.count ?? -1))
            if let element { buffer.writeBytes(element) }
        }
        return try PostgresBinaryArray(PostgresCell(bytes: buffer, dataType: .int8Array, format: .binary, columnName: name, columnIndex: 0))
    }

    private func columns(_ places: [(Int64, Int64)]) throws -> [PostgresBinaryArray] {
        func int8(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        let texts = places.map { Array("T\($0.1)".utf8) }
        return [try array("file_numbers", 20, places.map { int8($0.0) }), try array("line_numbers", 20, places.map { int8($0.1) }),
                try array("isrcs", 25, texts), try array("icpns", 25, texts), try array("dsp_resource_ids", 25, texts),
                try array("usages", 20, places.map { int8($0.1 * 10) }), try array("own_amounts", 20, places.map { _ in nil }),
                try array("use_types", 25, texts)]
    }

    func testAPageBecomesItsLinesInOrderAndKnowsItsLastPlace() throws {
        var page = LinePage()
        try page.fill(columns: try columns([(1, 7), (1, 9), (2, 1)]), after: LinePage.Key(file: 1, line: 3))
        XCTAssertEqual(page.count, 3)
        XCTAssertEqual(page.lastKey, LinePage.Key(file: 2, line: 1))
        var seen: [String] = []
        try page.forEach { cells, more in
            seen.append("\(String(decoding: cells.isrc, as: UTF8.self)) \(cells.usages) \(String(describing: cells.ownAmountMicro)) "
                + String(decoding: more().useType, as: UTF8.self))
        }
        XCTAssertEqual(seen, ["T7 70 nil T7", "T9 90 nil T9", "T1 10 nil T1"])
        try page.fill(columns: [], after: LinePage.Key(file: 2, line: 1))
        XCTAssertEqual(page.count, 0)
        XCTAssertNil(page.lastKey)
    }

    func testLinesOutOfReportOrderAreADecodeError() throws {
        let cases: [([(Int64, Int64)], (Int64, Int64))] = [([(1, 7), (1, 5)], (1, 0)), ([(1, 7), (1, 7)], (1, 0)), ([(1, 2)], (1, 2)),
                                                           ([(2, 1), (1, 9)], (1, 0))]
        for (places, after) in cases {
            var page = LinePage()
            XCTAssertThrowsError(try page.fill(columns: try columns(places), after: LinePage.Key(file: after.0, line: after.1)), "\(places)") { error in
                XCTAssertEqual((error as? StoreError)?.kind, .decode, "\(error)")
            }
        }
        var page = LinePage()
        var wrong = try columns([(1, 1), (1, 2)])
        wrong[5] = try array("usages", 20, [])
        XCTAssertThrowsError(try page.fill(columns: wrong, after: LinePage.Key(file: 0, line: 0)), "columns of different lengths")
    }
}
