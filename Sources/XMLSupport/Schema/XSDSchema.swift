import CLibXML2
import Foundation

/// A compiled XML Schema (XSD) that validates documents.
///
/// Loading compiles the schema once from a local path; `xs:import`/`xs:include` are resolved relative to it,
/// and ddexd's entity loader refuses every non-file URL, so loading never touches the network.
///
/// Thread safety: the compiled `xmlSchemaPtr` is only read after `init`; every validation creates its own
/// `xmlSchemaValidCtxt` (and parser context), and libxml2's error handler is per thread. libxml2 documents
/// a compiled schema as shareable between validation contexts, so validations run concurrently without a
/// lock (a test validates in parallel and compares with the serial result).
public final class XSDSchema: @unchecked Sendable {
    /// The path the schema was loaded from.
    public let path: String
    private let schema: xmlSchemaPtr

    /// Loads and compiles the schema once (from a file path; includes/imports resolved relative to it, never from the network).
    ///
    /// Throws an `XMLError` with code `XSD_LOAD_FAILED` naming the file, line and libxml2's message.
    public init(path: String) throws {
        self.path = path
        LibXML.ensureInitialized()
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw XMLError(.xsdLoadFailed, file: path, message: "the schema file does not exist or cannot be read")
        }
        let collector = DiagnosticCollector(fallbackFile: path)
        let compiled: xmlSchemaPtr? = collector.capture {
            // A path-based parser context: xmlSchemaNewMemParserCtxt does not copy its buffer (PLATFORM.md).
            guard let parser = xmlSchemaNewParserCtxt(path) else { return nil }
            defer { xmlSchemaFreeParserCtxt(parser) }
            xmlSchemaSetParserStructuredErrors(parser, DiagnosticCollector.callback, collector.opaque)
            return xmlSchemaParse(parser)
        }
        // libxml2 may compile a schema despite errors in an import (it skips the import with a warning
        // and fails later on the missing types); any error means the schema is not the one asked for.
        let errors = collector.errors
        guard let compiled, errors.isEmpty else {
            if let compiled { xmlSchemaFree(compiled) }
            let issues = collector.entries.map { XMLIssue(file: $0.file, line: $0.line, message: $0.message) }
            let first = errors.first ?? collector.entries.first
            throw XMLError(.xsdLoadFailed, file: first?.file ?? path, line: first?.line ?? 0,
                           message: "the schema does not compile: " + (first?.message ?? "libxml2 gave no reason"),
                           issues: issues)
        }
        schema = compiled
    }

    deinit {
        xmlSchemaFree(schema)
    }

    /// Validates a document file, streaming (memory does not grow with the file). Empty = valid.
    ///
    /// The file is parsed with a SAX stream that never builds a tree, never loads a DTD and never expands
    /// an entity; a DOCTYPE stops the parse and is reported as an issue.
    public func validate(fileAt path: String) -> [XMLIssue] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            return [XMLIssue(file: path, line: 0, message: "cannot open the file: \(String(cString: strerror(errno)))")]
        }
        // Created from the descriptor (not the name) so libxml2 neither fetches URLs nor gunzips the input.
        guard let input = xmlParserInputBufferCreateFd(fd, XML_CHAR_ENCODING_NONE) else {
            close(fd)
            return [XMLIssue(file: path, line: 0, message: "libxml2 could not allocate an input buffer")]
        }
        return validate(input: input, name: path)
    }

    /// Validates an in-memory document. `name` is used as the file name in issues. Empty = valid.
    public func validate(data: [UInt8], name: String) -> [XMLIssue] {
        LibXML.ensureInitialized()
        guard !data.isEmpty else { return [XMLIssue(file: name, line: 0, message: "the document is empty")] }
        guard data.count <= Int(Int32.max) else {
            return [XMLIssue(file: name, line: 0, message: "the document is larger than 2 GiB; validate it from a file")]
        }
        // libxml2 2.9 copies the bytes into its own buffer here.
        let input = data.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                xmlParserInputBufferCreateMem($0, Int32(bytes.count), XML_CHAR_ENCODING_NONE)
            }
        }
        guard let input else { return [XMLIssue(file: name, line: 0, message: "libxml2 could not allocate an input buffer")] }
        return validate(input: input, name: name)
    }

    /// Runs one streaming validation; takes ownership of `input`.
    private func validate(input: xmlParserInputBufferPtr, name: String) -> [XMLIssue] {
        LibXML.ensureInitialized()
        let collector = DiagnosticCollector(fallbackFile: name)
        let state = StreamState()
        let result: Int32 = collector.capture {
            guard let valid = xmlSchemaNewValidCtxt(schema) else {
                xmlFreeParserInputBuffer(input)
                collector.add(line: 0, message: "libxml2 could not allocate a validation context")
                return -1
            }
            defer { xmlSchemaFreeValidCtxt(valid) }
            xmlSchemaSetValidStructuredErrors(valid, DiagnosticCollector.callback, collector.opaque)
            xmlSchemaValidateSetFilename(valid, name)
            state.validContext = valid
            state.collector = collector
            // A SAX handler that only watches for a DOCTYPE: the schema plug does the validation, and with
            // no getEntity/entityDecl/externalSubset handlers the parser stores no entities and loads no DTD.
            var sax = xmlSAXHandler()
            sax.initialized = XML_SAX2_MAGIC
            sax.internalSubset = StreamState.doctypeSeen
            return withUnsafeMutablePointer(to: &sax) { saxPointer in
                withExtendedLifetime(state) {
                    xmlSchemaValidateStream(valid, input, XML_CHAR_ENCODING_NONE, saxPointer,
                                            Unmanaged.passUnretained(state).toOpaque())
                }
            }
        }
        var issues: [XMLIssue] = []
        for entry in collector.entries {
            // The stop ddexd itself requested after a DOCTYPE is already reported.
            if state.stoppedForDoctype, entry.code == Int32(XML_ERR_USER_STOP.rawValue) { continue }
            guard entry.level.rawValue >= XML_ERR_ERROR.rawValue else { continue }
            issues.append(XMLIssue(file: entry.file, line: entry.line, message: entry.message))
        }
        if collector.dropped > 0 {
            issues.append(XMLIssue(file: name, line: 0, message: "\(collector.dropped) further errors not listed"))
        }
        if issues.isEmpty, result != 0 {
            issues.append(XMLIssue(file: name, line: 0, message: "validation failed (libxml2 code \(result)) without a message"))
        }
        return issues
    }
}

/// State shared with the C callbacks of one streaming validation.
private final class StreamState {
    var validContext: xmlSchemaValidCtxtPtr?
    var collector: DiagnosticCollector?
    var stoppedForDoctype = false

    static let doctypeSeen: internalSubsetSAXFunc = { context, _, _, _ in
        guard let context else { return }
        let state = Unmanaged<StreamState>.fromOpaque(context).takeUnretainedValue()
        let parser = state.validContext.flatMap { xmlSchemaValidCtxtGetParserCtxt($0) }
        let line = parser.flatMap { $0.pointee.input }.map { Int($0.pointee.line) } ?? 0
        state.collector?.add(line: line, message: XMLSafety.doctypeMessage)
        state.stoppedForDoctype = true
        if let parser { xmlStopParser(parser) }
    }
}
