import DDEXModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast streaming XML 1.0 writer producing UTF-8, to a byte buffer or to a file.
///
/// The writer is built for the ERN hot path (thousands of messages per second), so it writes bytes
/// straight into one growing buffer and flushes it to the file every `flushThreshold` bytes (64 KiB by
/// default); memory stays bounded however long the document is.
///
/// **Errors are sticky.** Content methods do not throw: the first problem (a character XML 1.0 cannot
/// carry, an end tag with no open element, a mismatched end tag name, a failed `write(2)`) is recorded in
/// `error`, every later call becomes a no-op, and `finish()` throws it. This keeps writer code free of
/// `try` on every element while guaranteeing a broken document is never reported as complete.
///
/// **Characters XML 1.0 forbids** (C0 controls other than tab, line feed and carriage return, and the
/// non-characters U+FFFE and U+FFFF) are *rejected*, not dropped: silently altering a title or a name in a
/// message sent to a DSP is worse than refusing to send it. The error names the element and the code
/// point. Carriage returns, and tabs and line feeds inside attribute values, are written as character
/// references so that a parser's end-of-line and attribute normalisation gives back the exact value.
///
/// Element and attribute names are not checked: they come from the program, never from input data.
public final class XMLStreamWriter {
    /// Where the bytes go.
    public enum Destination {
        /// Keep everything in memory (see `bytes`).
        case memory
        /// Write to a file descriptor the writer owns and closes in `finish()`.
        case file(path: String, descriptor: Int32)
    }

    public let destination: Destination
    /// Indent nested elements by this many spaces per level; 0 writes everything on one line.
    public let indentWidth: Int
    /// Flush to the file when this many bytes are buffered.
    public let flushThreshold: Int

    // The hot path appends through a raw buffer and a raw stack rather than Swift arrays held in class
    // properties: every array mutation through a class property costs a dynamic exclusivity check
    // (swift_beginAccess/endAccess, a quarter of the ERN benchmark's time before this was changed).
    private var buffer: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    private var names: UnsafeMutablePointer<String>
    private var depth = 0
    private var namesCapacity = 32
    private var flushedCount = 0
    private var firstError: XMLWriteError?
    /// A start tag is open (`<name attr="…"`) and still accepts attributes.
    private var startTagOpen = false
    /// The innermost open element has child elements (its end tag goes on its own line when indenting).
    private var hasChildElements = false
    private var finished = false

    /// A writer that keeps the document in memory (see `bytes`).
    public init(indentWidth: Int = 0, initialCapacity: Int = 64 * 1024) {
        destination = .memory
        self.indentWidth = indentWidth
        flushThreshold = Int.max
        capacity = max(initialCapacity, 256)
        buffer = .allocate(capacity: capacity)
        names = .allocate(capacity: namesCapacity)
    }

    /// A writer to a new file at `path` (created or truncated, mode 0644).
    public init(fileAt path: String, indentWidth: Int = 0, bufferSize: Int = 64 * 1024) throws(XMLWriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw XMLWriteError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        destination = .file(path: path, descriptor: fd)
        self.indentWidth = indentWidth
        flushThreshold = max(bufferSize, 256)
        capacity = flushThreshold + 4096
        buffer = .allocate(capacity: capacity)
        names = .allocate(capacity: namesCapacity)
    }

    deinit {
        if case .file(_, let fd) = destination, !finished { close(fd) }
        names.deinitialize(count: depth)
        names.deallocate()
        buffer.deallocate()
    }

    /// Bytes not yet flushed (for a memory writer: the whole document so far), copied out.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: buffer, count: count)) }

    /// Calls `body` with the unflushed bytes without copying them.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: buffer, count: count))
    }

    /// Total bytes produced so far (flushed or not).
    public var byteCount: Int { flushedCount + count }

    /// The first error met; once set, the writer ignores further calls.
    public var error: XMLWriteError? { firstError }

    /// Empties a memory writer for reuse, keeping its capacity (benchmarks, batch generation).
    public func reset() {
        guard case .memory = destination else { return }
        count = 0
        names.deinitialize(count: depth)
        depth = 0
        firstError = nil
        startTagOpen = false
        hasChildElements = false
        finished = false
        flushedCount = 0
    }

    /// The element names currently open, outermost first.
    public var openElements: [String] { Array(UnsafeBufferPointer(start: names, count: depth)) }

    // MARK: - Document

    /// Writes the XML declaration.
    public func startDocument() {
        guard firstError == nil else { return }
        append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        if indentWidth > 0 { appendByte(0x0A) }
    }

    /// Checks every element was closed, flushes, closes the file, and throws the first error met.
    public func finish() throws(XMLWriteError) {
        if firstError == nil, depth > 0 {
            firstError = XMLWriteError(.unbalanced, "document ended with <\(names[depth - 1])> still open (\(openElements.joined(separator: "/")))")
        }
        if firstError == nil, !finished { appendByte(0x0A) }
        if case .file(let path, let fd) = destination, !finished {
            if firstError == nil { flush() }
            if close(fd) != 0, firstError == nil {
                firstError = XMLWriteError(.io, "cannot close \(path): \(String(cString: strerror(errno)))")
            }
        }
        finished = true
        if let firstError { throw firstError }
    }

    // MARK: - Elements

    /// Opens `<name`; attributes may follow until content or a child is written.
    public func startElement(_ name: String) {
        guard firstError == nil else { return }
        if startTagOpen { appendByte(0x3E) } // '>'
        if indentWidth > 0 { newlineAndIndent(level: depth) }
        appendByte(0x3C) // '<'
        append(name)
        push(name)
        startTagOpen = true
        hasChildElements = false
    }

    /// Adds an attribute to the start tag just opened.
    public func attribute(_ name: String, _ value: String) {
        guard firstError == nil else { return }
        guard startTagOpen else {
            firstError = XMLWriteError(.misplacedAttribute, "attribute \(name) written outside a start tag (in \(depth > 0 ? names[depth - 1] : "no element"))")
            return
        }
        appendByte(0x20)
        append(name)
        appendByte(0x3D) // =
        appendByte(0x22) // "
        appendEscaped(value, inAttribute: true)
        appendByte(0x22)
    }

    /// Writes character data inside the current element.
    public func text(_ value: String) {
        guard firstError == nil else { return }
        guard depth > 0 else {
            firstError = XMLWriteError(.unbalanced, "text written outside any element")
            return
        }
        if startTagOpen {
            appendByte(0x3E)
            startTagOpen = false
        }
        appendEscaped(value, inAttribute: false)
    }

    /// Closes the innermost element (`/>` when it is empty).
    public func endElement() {
        guard firstError == nil else { return }
        guard depth > 0 else {
            firstError = XMLWriteError(.unbalanced, "end tag with no open element")
            return
        }
        depth -= 1
        let name = (names + depth).move()
        closeTag(name)
    }

    /// Closes the innermost element, checking it is `name`.
    public func endElement(_ name: String) {
        guard firstError == nil else { return }
        guard depth > 0 else {
            firstError = XMLWriteError(.unbalanced, "</\(name)> with no open element")
            return
        }
        guard names[depth - 1] == name else {
            firstError = XMLWriteError(.unbalanced, "</\(name)> closes <\(names[depth - 1])> (\(openElements.joined(separator: "/")))")
            return
        }
        endElement()
    }

    /// Writes the decimal digits of `value` as character data (no allocation).
    public func integer(_ value: Int) {
        guard firstError == nil else { return }
        if startTagOpen {
            appendByte(0x3E)
            startTagOpen = false
        }
        if value < 0 { appendByte(0x2D) }
        var v = value.magnitude
        reserve(20)
        // Digits are produced backwards into the tail of the reserved space, then moved into place.
        var end = count + 20
        let stop = end
        repeat {
            end -= 1
            buffer[end] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
            v /= 10
        } while v > 0
        let n = stop - end
        (buffer + count).update(from: buffer + end, count: n)
        count += n
    }

    // MARK: - Internals

    private func push(_ name: String) {
        if depth == namesCapacity {
            let bigger = UnsafeMutablePointer<String>.allocate(capacity: namesCapacity * 2)
            bigger.moveInitialize(from: names, count: depth)
            names.deallocate()
            names = bigger
            namesCapacity *= 2
        }
        (names + depth).initialize(to: name)
        depth += 1
    }

    private func closeTag(_ name: String) {
        if startTagOpen {
            appendByte(0x2F) // '/'
            appendByte(0x3E)
            startTagOpen = false
        } else {
            if indentWidth > 0, hasChildElements { newlineAndIndent(level: depth) }
            appendByte(0x3C)
            appendByte(0x2F)
            append(name)
            appendByte(0x3E)
        }
        // The parent now has at least one child element.
        hasChildElements = true
        if count >= flushThreshold { flush() }
    }

    private func newlineAndIndent(level: Int) {
        if count > 0 {
            if buffer[count - 1] != 0x0A { appendByte(0x0A) }
        } else if flushedCount > 0 {
            appendByte(0x0A)
        }
        let n = level * indentWidth
        guard n > 0 else { return }
        reserve(n)
        (buffer + count).initialize(repeating: 0x20, count: n)
        count += n
    }

    /// Makes room for `n` more bytes.
    @inline(__always)
    private func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.initialize(from: buffer, count: count)
        buffer.deallocate()
        buffer = bigger
        capacity = newCapacity
    }

    @inline(__always)
    private func appendByte(_ b: UInt8) {
        reserve(1)
        buffer[count] = b
        count += 1
    }

    @inline(__always)
    private func appendRaw(_ p: UnsafeBufferPointer<UInt8>) {
        guard let base = p.baseAddress, p.count > 0 else { return }
        reserve(p.count)
        (buffer + count).update(from: base, count: p.count)
        count += p.count
    }

    @inline(__always)
    private func append(_ s: String) {
        var s = s
        s.withUTF8 { appendRaw($0) }
    }

    /// Appends `value` escaped; records an error on a character XML 1.0 cannot represent.
    private func appendEscaped(_ value: String, inAttribute: Bool) {
        var value = value
        value.withUTF8 { utf8 in
            // Fast path: scan for bytes that need attention; copy clean runs in one go.
            var runStart = 0
            var i = 0
            let n = utf8.count
            while i < n {
                let b = utf8[i]
                let replacement: StaticString?
                switch b {
                case 0x26: replacement = "&amp;"
                case 0x3C: replacement = "&lt;"
                case 0x3E: replacement = "&gt;"
                case 0x22: replacement = inAttribute ? "&quot;" : nil
                case 0x27: replacement = inAttribute ? "&apos;" : nil
                case 0x0D: replacement = "&#13;"
                case 0x09: replacement = inAttribute ? "&#9;" : nil
                case 0x0A: replacement = inAttribute ? "&#10;" : nil
                case 0x00...0x1F:
                    firstError = XMLWriteError(.invalidCharacter,
                                               "\(TextRules.codePoint(Unicode.Scalar(b))) cannot appear in XML 1.0 (in \(depth > 0 ? names[depth - 1] : "document")\(inAttribute ? " attribute" : ""))")
                    return
                case 0xEF where i + 2 < n && utf8[i + 1] == 0xBF && (utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF):
                    firstError = XMLWriteError(.invalidCharacter,
                                               "U+\(utf8[i + 2] == 0xBE ? "FFFE" : "FFFF") is not a character XML 1.0 allows (in \(depth > 0 ? names[depth - 1] : "document"))")
                    return
                default: replacement = nil
                }
                if let replacement {
                    if runStart < i { appendRaw(UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                    replacement.withUTF8Buffer { appendRaw($0) }
                    runStart = i + 1
                }
                i += 1
            }
            if runStart < n { appendRaw(UnsafeBufferPointer(rebasing: utf8[runStart..<n])) }
        }
        if count >= flushThreshold { flush() }
    }

    /// Writes the buffer to the file (no-op for memory writers).
    private func flush() {
        guard case .file(let path, let fd) = destination, count > 0 else { return }
        var offset = 0
        var failed = false
        while offset < count {
            let n = write(fd, buffer + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failed = true
                break
            }
            offset += n
        }
        if failed, firstError == nil {
            firstError = XMLWriteError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        flushedCount += count
        count = 0
    }
}
