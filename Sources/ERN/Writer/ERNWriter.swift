import DDEXConfig
import DDEXModel
import XMLSupport

/// Writes an `ERNMessage` in the ERN version a DSP profile asks for.
public struct ERNWriter: Sendable {
    public var version: ERNVersion
    public var ern43: ERN43Writer
    public var ern382: ERN382Writer
    /// Indentation of the written XML (0: one line, fastest and smallest).
    public var indentWidth: Int

    /// A writer for `version`, with the per-version writers' settings and the indentation of the XML.
    public init(version: ERNVersion, ern43: ERN43Writer = ERN43Writer(), ern382: ERN382Writer = ERN382Writer(),
                indentWidth: Int = 2)
    {
        self.version = version
        self.ern43 = ern43
        self.ern382 = ern382
        self.indentWidth = indentWidth
    }

    /// Streams `message` into `writer` (call `writer.finish()` afterwards).
    public func write(_ message: ERNMessage, to writer: XMLStreamWriter) {
        switch (version, message) {
        case (.ern43, .newRelease(let m)): ern43.write(m, to: writer)
        case (.ern43, .purgeRelease(let m)): ern43.write(m, to: writer)
        case (.ern382, .newRelease(let m)): ern382.write(m, to: writer)
        case (.ern382, .purgeRelease(let m)): ern382.write(m, to: writer)
        }
    }

    /// The message as UTF-8 bytes.
    public func bytes(of message: ERNMessage) throws(XMLWriteError) -> [UInt8] {
        let writer = XMLStreamWriter(indentWidth: indentWidth)
        write(message, to: writer)
        try writer.finish()
        return writer.bytes
    }

    /// Writes the message to a new file at `path`; returns its size in bytes.
    @discardableResult
    public func write(_ message: ERNMessage, toFileAt path: String) throws(XMLWriteError) -> Int {
        let writer = try XMLStreamWriter(fileAt: path, indentWidth: indentWidth)
        write(message, to: writer)
        try writer.finish()
        return writer.byteCount
    }
}
