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
        /// Keep everything in `bytes`.
        case memory
        /// Write to a file descriptor the writer owns and closes in `finish()`.
        case file(path: String, descriptor: Int32)
    }

    public private(set) var destination: Destination
    /// Bytes not yet flushed (for `.memory`: the whole document so far).
    public private(set) var bytes: [UInt8]
    /// The first error met; once set, the writer ignores further calls.
    public private(set) var error: XMLWriteError?
    /// Indent nested elements by this many spaces per level; 0 writes everything on one line.
    public var indentWidth: Int
    /// Flush to the file when this many bytes are buffered.
    public let flushThreshold: Int
    /// Total bytes produced so far (flushed or not).
    public var byteCount: Int { flushedCount + bytes.count }
    private var flushedCount = 0

    private var stack: [String] = []
    /// A start tag is open (`<name attr="…"`) and still accepts attributes.
    private var startTagOpen = false
    /// The innermost open element has child elements (its end tag goes on its own line when indenting).
    private var hasChildElements = false
    private var finished = false

    /// A writer that keeps the document in memory (see `bytes`).
    public init(indentWidth: Int = 0, initialCapacity: Int = 64 * 1024) {
        destination = .memory
        bytes = []
        bytes.reserveCapacity(initialCapacity)
        self.indentWidth = indentWidth
        flushThreshold = Int.max
    }

    /// A writer to a new file at `path` (created or truncated, mode 0644).
    public init(fileAt path: String, indentWidth: Int = 0, bufferSize: Int = 64 * 1024) throws(XMLWriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw XMLWriteError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        destination = .file(path: path, descriptor: fd)
        bytes = []
        bytes.reserveCapacity(bufferSize + 4096)
        self.indentWidth = indentWidth
        flushThreshold = bufferSize
    }

    deinit {
        if case .file(_, let fd) = destination, !finished { close(fd) }
    }

    /// Empties a memory writer for reuse, keeping its capacity (benchmarks, batch generation).
    public func reset() {
        guard case .memory = destination else { return }
        bytes.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        error = nil
        startTagOpen = false
        hasChildElements = false
        finished = false
        flushedCount = 0
    }

    /// The element names currently open, outermost first.
    public var openElements: [String] { stack }

    // MARK: - Document

    /// Writes the XML declaration.
    public func startDocument() {
        guard error == nil else { return }
        append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        if indentWidth > 0 { bytes.append(0x0A) }
    }

    /// Checks every element was closed, flushes, closes the file, and throws the first error met.
    public func finish() throws(XMLWriteError) {
        if error == nil, let open = stack.last {
            error = XMLWriteError(.unbalanced, "document ended with <\(open)> still open (\(stack.joined(separator: "/")))")
        }
        if error == nil { bytes.append(0x0A) }
        if case .file(let path, let fd) = destination, !finished {
            if error == nil { flush() }
            if close(fd) != 0, error == nil {
                error = XMLWriteError(.io, "cannot close \(path): \(String(cString: strerror(errno)))")
            }
        }
        finished = true
        if let error { throw error }
    }

    // MARK: - Elements

    /// Opens `<name`; attributes may follow until content or a child is written.
    public func startElement(_ name: String) {
        guard error == nil else { return }
        if startTagOpen { bytes.append(0x3E) } // '>'
        if indentWidth > 0 { newlineAndIndent(level: stack.count) }
        bytes.append(0x3C) // '<'
        append(name)
        stack.append(name)
        startTagOpen = true
        hasChildElements = false
    }

    /// Adds an attribute to the start tag just opened.
    public func attribute(_ name: String, _ value: String) {
        guard error == nil else { return }
        guard startTagOpen else {
            error = XMLWriteError(.misplacedAttribute, "attribute \(name) written outside a start tag (in \(stack.last ?? "no element"))")
            return
        }
        bytes.append(0x20)
        append(name)
        bytes.append(0x3D); bytes.append(0x22) // ="
        appendEscaped(value, inAttribute: true)
        bytes.append(0x22)
    }

    /// Writes character data inside the current element.
    public func text(_ value: String) {
        guard error == nil else { return }
        guard !stack.isEmpty else {
            error = XMLWriteError(.unbalanced, "text written outside any element")
            return
        }
        if startTagOpen {
            bytes.append(0x3E)
            startTagOpen = false
        }
        appendEscaped(value, inAttribute: false)
    }

    /// Closes the innermost element (`/>` when it is empty).
    public func endElement() {
        guard error == nil else { return }
        guard let name = stack.popLast() else {
            error = XMLWriteError(.unbalanced, "end tag with no open element")
            return
        }
        closeTag(name)
    }

    /// Closes the innermost element, checking it is `name`.
    public func endElement(_ name: String) {
        guard error == nil else { return }
        guard let open = stack.last else {
            error = XMLWriteError(.unbalanced, "</\(name)> with no open element")
            return
        }
        guard open == name else {
            error = XMLWriteError(.unbalanced, "</\(name)> closes <\(open)> (\(stack.joined(separator: "/")))")
            return
        }
        stack.removeLast()
        closeTag(name)
    }

    /// `<name>text</name>`.
    public func element(_ name: String, _ value: String) {
        startElement(name)
        text(value)
        endElement()
    }

    /// `<name a="v" …>text</name>`.
    public func element(_ name: String, attributes: KeyValuePairs<String, String>, _ value: String) {
        startElement(name)
        for (k, v) in attributes { attribute(k, v) }
        text(value)
        endElement()
    }

    /// `<name>` + the decimal digits of `value` + `</name>`.
    public func element(_ name: String, _ value: Int) {
        startElement(name)
        integer(value)
        endElement()
    }

    /// Writes the decimal digits of `value` as character data (no allocation).
    public func integer(_ value: Int) {
        guard error == nil else { return }
        if startTagOpen {
            bytes.append(0x3E)
            startTagOpen = false
        }
        if value < 0 { bytes.append(0x2D) }
        var v = value.magnitude
        if v < 10 {
            bytes.append(UInt8(truncatingIfNeeded: v) &+ 0x30)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var i = 20
            while v > 0 {
                i -= 1
                buf[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<20]))
        }
    }

    // MARK: - Internals

    private func closeTag(_ name: String) {
        if startTagOpen {
            bytes.append(0x2F); bytes.append(0x3E) // "/>"
            startTagOpen = false
        } else {
            if indentWidth > 0, hasChildElements { newlineAndIndent(level: stack.count) }
            bytes.append(0x3C); bytes.append(0x2F) // "</"
            append(name)
            bytes.append(0x3E)
        }
        // The parent now has at least one child element.
        hasChildElements = true
        if bytes.count >= flushThreshold { flush() }
    }

    private func newlineAndIndent(level: Int) {
        if let last = bytes.last { if last != 0x0A { bytes.append(0x0A) } } else if flushedCount > 0 { bytes.append(0x0A) }
        let n = level * indentWidth
        if n > 0 { bytes.append(contentsOf: repeatElement(0x20, count: n)) }
    }

    @inline(__always)
    private func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
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
                    error = XMLWriteError(.invalidCharacter,
                                          "U+\(hex4(UInt32(b))) cannot appear in XML 1.0 (in \(stack.last ?? "document")\(inAttribute ? " attribute" : ""))")
                    return
                case 0xEF where i + 2 < n && utf8[i + 1] == 0xBF && (utf8[i + 2] == 0xBE || utf8[i + 2] == 0xBF):
                    error = XMLWriteError(.invalidCharacter,
                                          "U+\(utf8[i + 2] == 0xBE ? "FFFE" : "FFFF") is not a character XML 1.0 allows (in \(stack.last ?? "document"))")
                    return
                default: replacement = nil
                }
                if let replacement {
                    if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                    replacement.withUTF8Buffer { bytes.append(contentsOf: $0) }
                    runStart = i + 1
                }
                i += 1
            }
            if runStart < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<n])) }
        }
        if bytes.count >= flushThreshold { flush() }
    }

    private func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// Writes the buffer to the file (no-op for memory writers).
    private func flush() {
        guard case .file(let path, let fd) = destination, !bytes.isEmpty else { return }
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        if !ok, error == nil {
            error = XMLWriteError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        flushedCount += bytes.count
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Why an XML document could not be written.
public struct XMLWriteError: CodedError, Equatable {
    public enum Kind: String, Sendable {
        case invalidCharacter = "XML_WRITE_INVALID_CHARACTER"
        case unbalanced = "XML_WRITE_UNBALANCED"
        case misplacedAttribute = "XML_WRITE_MISPLACED_ATTRIBUTE"
        case io = "XML_WRITE_IO"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var code: String { kind.rawValue }
    public var description: String { "\(code): \(message)" }
}
