import NIOCore

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: cells separated by tabs, rows ended by a newline,
/// NULL as `\N`, and in text a backslash, tab, newline or carriage return escaped with a backslash. Built straight
/// into a `ByteBuffer` that is sent as it is.
struct COPYTextRows {
    /// A text cell held a NUL character, which no PostgreSQL text can store.
    struct NULCharacter: Error {}

    private(set) var buffer: ByteBuffer
    private var atRowStart = true
    private let capacity: Int

    init(capacity: Int = 1 << 18) {
        self.capacity = capacity
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Bytes waiting in the buffer.
    var byteCount: Int { buffer.readableBytes }

    /// The rows written so far; the encoder starts a new buffer.
    mutating func take() -> ByteBuffer {
        let rows = buffer
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
        return rows
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        atRowStart = true
    }

    private mutating func separate() {
        if atRowStart {
            atRowStart = false
        } else {
            buffer.writeInteger(UInt8(ascii: "\t"))
        }
    }

    mutating func null() {
        if atRowStart {
            atRowStart = false
            buffer.writeStaticString("\\N")
        } else {
            buffer.writeStaticString("\t\\N")
        }
    }

    mutating func integer(_ value: Int64?) {
        guard let value else { return null() }
        separate()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { out in
            var magnitude = value.magnitude
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, written backwards
            return withUnsafeMutableBytes(of: &digits) { scratch in
                var index = scratch.count
                repeat {
                    index -= 1
                    scratch[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                if value < 0 {
                    index -= 1
                    scratch[index] = UInt8(ascii: "-")
                }
                let count = scratch.count - index
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: scratch[index...]))
                return count
            }
        }
    }

    mutating func text(_ value: String) throws {
        var value = value
        try value.withUTF8 { try text(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A text cell from its UTF-8 bytes. Throws `NULCharacter` for a NUL byte.
    mutating func text(bytes: UnsafeRawBufferPointer) throws {
        separate()
        // Most cells need no escape: one pass to tell, then one copy.
        var plain = true
        for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            buffer.writeBytes(bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0: throw NULCharacter()
            case UInt8(ascii: "\\"): writeEscaped(UInt8(ascii: "\\"))
            case UInt8(ascii: "\t"): writeEscaped(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): writeEscaped(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): writeEscaped(UInt8(ascii: "r"))
            default: buffer.writeInteger(byte)
            }
        }
    }

    private mutating func writeEscaped(_ letter: UInt8) {
        buffer.writeInteger(UInt8(ascii: "\\"))
        buffer.writeInteger(letter)
    }
}
