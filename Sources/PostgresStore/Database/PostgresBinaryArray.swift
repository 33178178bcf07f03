import NIOCore
import PostgresNIO
import Store

/// A one-dimensional array cell in PostgreSQL's binary format (`array_send`), its elements read in place: the
/// number of dimensions, a flags word, the element type's OID, the dimension's size and lower bound, then each
/// element as a 4-byte length (-1 for NULL) and its bytes. A NULL cell (`array_agg` over no row) has no element.
/// Every length is checked against the cell, so a cell that is not such an array is `STORE_DECODE`, never a read
/// out of bounds.
struct PostgresBinaryArray {
    /// The element type OIDs read here.
    enum ElementType: UInt32 {
        case bigint = 20
        case text = 25
    }

    let column: String
    /// How many elements the array holds.
    let count: Int
    private let elementType: UInt32
    /// The elements' part of the cell.
    private let elements: ByteBuffer?

    init(_ cell: PostgresCell) throws(StoreError) {
        column = cell.columnName
        guard var buffer = cell.bytes else {
            (count, elementType, elements) = (0, 0, nil)
            return
        }
        guard cell.format == .binary, let dimensions = buffer.readInteger(as: Int32.self), buffer.readInteger(as: Int32.self) != nil,
              let type = buffer.readInteger(as: UInt32.self)
        else { throw Self.malformed(column, "no array header") }
        guard dimensions != 0 else {
            (count, elementType, elements) = (0, type, nil)
            return
        }
        guard dimensions == 1, let size = buffer.readInteger(as: Int32.self), size >= 0, buffer.readInteger(as: Int32.self) != nil else {
            throw Self.malformed(column, "not a one-dimensional array")
        }
        (count, elementType, elements) = (Int(size), type, buffer)
    }

    /// Calls `body` with each element's bytes (nil for NULL), in order. Throws when the array holds elements of
    /// another type than `type`, or its lengths overrun the cell.
    func forEachElement(of type: ElementType, _ body: (UnsafeRawBufferPointer?) throws -> Void) throws {
        guard let elements else { return }
        guard elementType == type.rawValue else {
            throw Self.malformed(column, "an array of type \(elementType), not \(type)")
        }
        try elements.withUnsafeReadableBytes { raw in
            var offset = 0
            for _ in 0..<count {
                guard raw.count - offset >= 4 else { throw Self.malformed(column, "an element's length runs past the cell") }
                let length = Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                offset += 4
                if length < 0 {
                    try body(nil)
                    continue
                }
                guard raw.count - offset >= length else { throw Self.malformed(column, "an element runs past the cell") }
                try body(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length]))
                offset += length
            }
        }
    }

    /// The elements of a `bigint[]`, nil for NULL.
    func integers() throws -> [Int64?] {
        var values: [Int64?] = []
        values.reserveCapacity(count)
        try forEachElement(of: .bigint) { bytes in
            guard let bytes else { return values.append(nil) }
            guard bytes.count == 8 else { throw Self.malformed(column, "a BIGINT element of \(bytes.count) bytes") }
            values.append(Int64(bigEndian: bytes.loadUnaligned(as: Int64.self)))
        }
        return values
    }

    private static func malformed(_ column: String, _ what: String) -> StoreError {
        StoreError(.decode, message: "dsr_usage_lines: the page's \(column) is malformed: \(what)")
    }
}
