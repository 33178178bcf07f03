import CLibXML2
import Foundation

/// Collects libxml2's structured errors for one operation (a parse, a schema load, a validation).
///
/// libxml2 2.9 reports through a structured-error callback; its "global" handler is in fact per thread,
/// so `capture(_:)` installs the collector on the calling thread only for the duration of a synchronous
/// call and restores the previous handler. Nothing async runs inside, so the thread cannot change.
final class DiagnosticCollector {
    struct Entry {
        var domain: Int32
        var code: Int32
        var level: xmlErrorLevel
        var file: String
        var line: Int
        var column: Int
        var message: String
    }

    /// The name used when libxml2 does not know the file (in-memory input).
    let fallbackFile: String
    private(set) var entries: [Entry] = []
    /// A hostile document can raise an error per byte; keep the first ones, count the rest.
    let limit: Int
    private(set) var dropped = 0
    /// The line of a DOCTYPE the parse stopped at, when there was one.
    var doctypeLine: Int?

    init(fallbackFile: String, limit: Int = 500) {
        self.fallbackFile = fallbackFile
        self.limit = limit
    }

    func add(_ error: xmlError) {
        guard entries.count < limit else {
            dropped += 1
            return
        }
        var message = error.message.map { String(cString: $0) } ?? "unknown libxml2 error"
        while message.last?.isWhitespace == true { message.removeLast() }
        // Some messages continue on a second line ("…indicate encoding !\nBytes: 0xC3 0x28"): keep one line.
        message = message.split(whereSeparator: \.isNewline).joined(separator: "; ")
        let file = error.file.map { String(cString: $0) } ?? fallbackFile
        entries.append(Entry(domain: error.domain, code: error.code, level: error.level,
                             file: file.isEmpty ? fallbackFile : file, line: Int(error.line),
                             column: Int(error.int2), message: message))
    }

    /// Appends an entry made by ddexd itself (not by libxml2).
    func add(code: Int32 = 0, line: Int, column: Int = 0, message: String) {
        entries.append(Entry(domain: 0, code: code, level: XML_ERR_FATAL, file: fallbackFile, line: line,
                             column: column, message: message))
    }

    var errors: [Entry] { entries.filter { $0.level.rawValue >= XML_ERR_ERROR.rawValue } }

    /// The C callback: `context` is an unretained pointer to a collector.
    static let callback: xmlStructuredErrorFunc = { context, error in
        guard let context, let error else { return }
        Unmanaged<DiagnosticCollector>.fromOpaque(context).takeUnretainedValue().add(error.pointee)
    }

    private static let threadKey = "ddexd.XMLSupport.DiagnosticCollector"

    /// The collector capturing on the calling thread, for hooks libxml2 calls without a context (the entity loader).
    static var current: DiagnosticCollector? {
        Thread.current.threadDictionary[threadKey] as? DiagnosticCollector
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Runs `body` with this collector as the calling thread's structured error handler.
    func capture<T>(_ body: () throws -> T) rethrows -> T {
        LibXML.ensureInitialized()
        let handlerSlot = __xmlStructuredError()
        let contextSlot = __xmlStructuredErrorContext()
        let previousHandler = handlerSlot?.pointee
        let previousContext = contextSlot?.pointee
        xmlSetStructuredErrorFunc(opaque, DiagnosticCollector.callback)
        let threadStore = Thread.current.threadDictionary
        let previousCollector = threadStore[DiagnosticCollector.threadKey]
        threadStore[DiagnosticCollector.threadKey] = self
        defer {
            handlerSlot?.pointee = previousHandler
            contextSlot?.pointee = previousContext
            threadStore[DiagnosticCollector.threadKey] = previousCollector
        }
        return try withExtendedLifetime(self) { try body() }
    }
}
