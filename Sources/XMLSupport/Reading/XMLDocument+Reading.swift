import CLibXML2
import Foundation

extension XMLDocument {
    /// Reads and parses a file safely.
    ///
    /// - Refuses a file bigger than `options.maxBytes` before reading it (`XML_TOO_LARGE`).
    /// - Reads the bytes itself and hands libxml2 memory, so libxml2 never opens URLs or decompresses.
    /// - See `parse(data:name:options:)` for the parsing rules.
    /// - Parameter name: the name used in errors; defaults to `path`.
    public static func read(fileAt path: String, name: String? = nil,
                            options: XMLReadOptions = XMLReadOptions()) throws(XMLError) -> XMLDocument
    {
        let display = name ?? path
        return try parse(data: try bytes(ofFileAt: path, name: display, options: options), name: display, options: options)
    }

    /// A file's bytes, refused (`XML_TOO_LARGE`) when there are more than `options.maxBytes`, for callers that
    /// parse and schema-validate the very same bytes (a file read twice could change in between).
    public static func bytes(ofFileAt path: String, name: String? = nil,
                             options: XMLReadOptions = XMLReadOptions()) throws(XMLError) -> [UInt8]
    {
        try readBounded(path: path, display: name ?? path, maxBytes: options.maxBytes)
    }

    /// Parses a document from memory safely.
    ///
    /// Rules (each failure is an `XMLError` with file, line and column):
    /// - no DOCTYPE at all, internal subset or external DTD (`XML_DOCTYPE_FORBIDDEN`): the parse stops at
    ///   the DOCTYPE, before any declaration is read, so no entity is ever declared, expanded or fetched;
    /// - no entity references other than the five predefined ones and character references
    ///   (`XML_ENTITY_FORBIDDEN`);
    /// - libxml2's safe options only: `XML_PARSE_NONET`, no `NOENT`, no `DTDLOAD`/`DTDATTR`/`DTDVALID`,
    ///   no `HUGE` (libxml2's default depth and text-size limits stay on), no XInclude;
    /// - empty input (`XML_EMPTY`), bytes that do not match the declared encoding or are not UTF-8 when
    ///   nothing is declared (`XML_ENCODING`, see `XMLEncodingCheck`), a document cut short
    ///   (`XML_TRUNCATED`), anything else not well-formed (`XML_MALFORMED`).
    public static func parse(data: [UInt8], name: String,
                             options: XMLReadOptions = XMLReadOptions()) throws(XMLError) -> XMLDocument
    {
        guard data.count <= options.maxBytes else {
            throw XMLError(.tooLarge, file: name,
                           message: "the document has \(data.count) bytes, more than the limit of \(options.maxBytes)")
        }
        guard data.count <= Int(Int32.max) else {
            throw XMLError(.tooLarge, file: name, message: "the document is larger than 2 GiB")
        }
        guard data.contains(where: { !isBlankOrBOM($0) }) else {
            throw XMLError(.empty, file: name, message: "the document is empty")
        }
        try XMLEncodingCheck.check(data, name: name)
        return try SafeDOMParser(name: name).parse(data)
    }

    private static func isBlankOrBOM(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0xEF || byte == 0xBB || byte == 0xBF
    }

    /// Reads at most `maxBytes` (+1 to notice a file that grew after `fstat`).
    private static func readBounded(path: String, display: String, maxBytes: Int) throws(XMLError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw XMLError(.unreadable, file: display, message: "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw XMLError(.unreadable, file: display, message: "cannot read the file's size: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw XMLError(.unreadable, file: display, message: "not a regular file")
        }
        guard info.st_size <= maxBytes else {
            throw XMLError(.tooLarge, file: display,
                           message: "the file has \(info.st_size) bytes, more than the limit of \(maxBytes)")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw XMLError(.unreadable, file: display, message: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
            if filled == bytes.count, filled <= maxBytes {
                // The file grew since fstat; keep reading up to the limit.
                bytes.append(contentsOf: repeatElement(0, count: min(maxBytes + 1, bytes.count * 2) - bytes.count))
            }
        }
        guard filled <= maxBytes else {
            throw XMLError(.tooLarge, file: display, message: "the file has more than the limit of \(maxBytes) bytes")
        }
        bytes.removeSubrange(filled...)
        return bytes
    }
}

/// One safe parse with libxml2's SAX2 parser, building `XMLElement` values directly (no libxml2 tree,
/// so peak memory is the Swift tree plus the input).
struct SafeDOMParser {
    let name: String

    /// `NONET` and big line numbers; nothing that loads or substitutes (no NOENT, DTDLOAD, DTDATTR,
    /// DTDVALID, XINCLUDE, HUGE). Blank text nodes are kept: trimming is the consumer's choice.
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue)

    func parse(_ data: [UInt8]) throws(XMLError) -> XMLDocument {
        let collector = DiagnosticCollector(fallbackFile: name)
        let builder = TreeBuilder()
        let parsed: Bool = collector.capture {
            guard let context = xmlNewParserCtxt() else {
                collector.add(line: 0, message: "libxml2 could not allocate a parser context")
                return false
            }
            defer { xmlFreeParserCtxt(context) }
            TreeBuilder.install(on: context)
            context.pointee._private = Unmanaged.passUnretained(builder).toOpaque()
            let document = withExtendedLifetime(builder) {
                data.withUnsafeBufferPointer { bytes in
                    bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        xmlCtxtReadMemory(context, $0, Int32(bytes.count), name, nil, SafeDOMParser.options)
                    }
                }
            }
            // The SAX handlers build no libxml2 tree; libxml2 still returns its (empty) document when the
            // input was well-formed, and nil otherwise.
            guard let document else { return false }
            // Belt and braces: the DOCTYPE callback stops the parser before any DTD is stored.
            if document.pointee.intSubset != nil || document.pointee.extSubset != nil {
                collector.markDoctype(line: 0)
            }
            xmlFreeDoc(document)
            return true
        }
        if let line = builder.doctypeLine {
            collector.markDoctype(line: line)
        }
        for entity in builder.entities {
            collector.markEntity(line: entity.line, name: entity.name)
        }
        if parsed, collector.errors.isEmpty, collector.doctypeLine == nil, let root = builder.root {
            return XMLDocument(root: root, name: name)
        }
        if parsed, collector.errors.isEmpty, collector.doctypeLine == nil {
            collector.add(line: 0, message: "the document has no root element")
        }
        throw classify(collector, data: data)
    }

    /// Picks the code that explains the failure best, and keeps every diagnostic.
    private func classify(_ collector: DiagnosticCollector, data: [UInt8]) -> XMLError {
        let issues = collector.entries.map { XMLIssue(file: $0.file, line: $0.line, message: $0.message) }
        if let line = collector.doctypeLine {
            return XMLError(.doctypeForbidden, file: name, line: line, message: XMLSafety.doctypeMessage,
                            issues: [XMLIssue(file: name, line: line, message: XMLSafety.doctypeMessage)] + issues)
        }
        let errors = collector.errors
        guard let first = errors.first ?? collector.entries.first else {
            return XMLError(.malformed, file: name, message: "libxml2 could not parse the document and gave no reason", issues: issues)
        }
        func error(_ kind: XMLError.Kind, _ entry: DiagnosticCollector.Entry, _ prefix: String = "") -> XMLError {
            XMLError(kind, file: entry.file, line: entry.line, column: entry.column, message: prefix + entry.message, issues: issues)
        }
        if let entity = errors.first(where: { Self.entityCodes.contains($0.code) || $0.code == DiagnosticCollector.entityMarker }) {
            return error(.entityForbidden, entity,
                         entity.code == DiagnosticCollector.entityMarker ? "" : "only the five predefined entities and character references are allowed: ")
        }
        if first.code == Int32(XML_ERR_DOCUMENT_EMPTY.rawValue) {
            return error(.empty, first)
        }
        if isTruncation(first, data: data) {
            return error(.truncated, first, "the document ends before its elements are closed (truncated?): ")
        }
        if let encoding = errors.first(where: Self.isEncodingError) {
            return error(.encoding, encoding)
        }
        return error(.malformed, first)
    }

    /// A cut document fails at its very end: the first error is at the last character (an unclosed element,
    /// an unfinished tag or attribute). A tag mismatch at the end is an ordinary well-formedness error.
    private func isTruncation(_ first: DiagnosticCollector.Entry, data: [UInt8]) -> Bool {
        guard first.code != Int32(XML_ERR_TAG_NAME_MISMATCH.rawValue) else { return false }
        let lastLine = 1 + data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let lastLineStart = (data.lastIndex(of: 0x0A) ?? -1) + 1
        // libxml2 counts columns in characters: count UTF-8 lead bytes.
        let lastLineLength = data[lastLineStart...].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return first.line == lastLine && first.column >= lastLineLength
    }

    private static let entityCodes: Set<Int32> = [
        XML_ERR_UNDECLARED_ENTITY, XML_WAR_UNDECLARED_ENTITY, XML_ERR_ENTITY_LOOP, XML_ERR_UNPARSED_ENTITY,
        XML_ERR_ENTITY_IS_EXTERNAL, XML_ERR_ENTITY_IS_PARAMETER, XML_ERR_ENTITY_PE_INTERNAL,
        XML_ERR_ENTITY_BOUNDARY,
    ].reduce(into: []) { $0.insert(Int32($1.rawValue)) }

    private static func isEncodingError(_ entry: DiagnosticCollector.Entry) -> Bool {
        let codes: [xmlParserErrors] = [XML_ERR_UNKNOWN_ENCODING, XML_ERR_UNSUPPORTED_ENCODING, XML_ERR_ENCODING_NAME,
                                        XML_ERR_INVALID_ENCODING, XML_I18N_CONV_FAILED, XML_I18N_NO_HANDLER]
        if codes.contains(where: { Int32($0.rawValue) == entry.code }) { return true }
        if entry.domain == Int32(XML_FROM_I18N.rawValue) { return true }
        // libxml2 reports bytes that are not UTF-8 as an invalid-character error with this wording.
        return entry.message.contains("not proper UTF-8") || entry.message.contains("encoding error")
            || entry.message.contains("Document labelled")
    }
}

extension DiagnosticCollector {
    /// libxml2 never uses this code; marks entity references ddexd found itself.
    static let entityMarker: Int32 = -2

    func markDoctype(line: Int) {
        if doctypeLine == nil { doctypeLine = line }
    }

    func markEntity(line: Int, name: String) {
        add(code: DiagnosticCollector.entityMarker, line: line,
            message: "entity '\(name)' is not allowed: only the five predefined entities and character references are")
    }
}
