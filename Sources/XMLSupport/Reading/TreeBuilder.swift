import CLibXML2
import Foundation

/// Builds the `XMLElement` tree from libxml2's SAX2 events during one parse.
///
/// It is reached from the C callbacks through the parser context's `_private` pointer; depth is
/// bounded by libxml2's own limit (256 levels without `XML_PARSE_HUGE`).
final class TreeBuilder {
    private var stack: [XMLElement] = []
    private(set) var root: XMLElement?
    private(set) var doctypeLine: Int?
    private(set) var entities: [(line: Int, name: String)] = []

    /// Replaces the tree-building SAX2 handlers of `context` with this builder's.
    static func install(on context: xmlParserCtxtPtr) {
        guard let sax = context.pointee.sax else { return }
        sax.pointee.startElementNs = startElement
        sax.pointee.endElementNs = endElement
        sax.pointee.characters = characters
        sax.pointee.ignorableWhitespace = characters
        sax.pointee.cdataBlock = characters
        // The DOCTYPE callback comes right after `<!DOCTYPE name ExternalID`, before the internal subset
        // is read: stopping there means no declaration is ever processed.
        sax.pointee.internalSubset = doctypeSeen
        // Called for an entity reference that is not substituted: never allowed.
        sax.pointee.reference = entityReference
        sax.pointee.comment = nil
        sax.pointee.processingInstruction = nil
    }

    private static func builder(_ context: UnsafeMutableRawPointer?) -> (TreeBuilder, xmlParserCtxtPtr)? {
        guard let context else { return nil }
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let opaque = parser.pointee._private else { return nil }
        return (Unmanaged<TreeBuilder>.fromOpaque(opaque).takeUnretainedValue(), parser)
    }

    private static func line(_ parser: xmlParserCtxtPtr) -> Int {
        parser.pointee.input.map { Int($0.pointee.line) } ?? 0
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    private static let startElement: startElementNsSAX2Func = {
        context, localName, _, uri, _, _, attributeCount, _, attributes in
        guard let (builder, parser) = builder(context) else { return }
        var element = XMLElement(name: string(localName), namespaceURI: uri.map { String(cString: $0) },
                                 line: line(parser))
        if let attributes {
            // Five pointers per attribute: local name, prefix, URI, value start, value end.
            for index in 0..<Int(max(attributeCount, 0)) {
                let base = attributes + index * 5
                guard let valueStart = base[3], let valueEnd = base[4] else { continue }
                var value = String(decoding: UnsafeBufferPointer(start: valueStart, count: valueEnd - valueStart),
                                   as: UTF8.self)
                // Without entity substitution libxml2 passes an ampersand in a value as `&#38;`.
                if value.contains("&#38;") { value = value.replacingOccurrences(of: "&#38;", with: "&") }
                let localName = string(base[0])
                if let namespace = base[2].map({ String(cString: $0) }) {
                    element.namespacedAttributes.append(XMLAttribute(name: localName, namespaceURI: namespace, value: value))
                    if element.attributes[localName] == nil { element.attributes[localName] = value }
                } else {
                    element.attributes[localName] = value
                }
            }
        }
        builder.stack.append(element)
    }

    private static let endElement: endElementNsSAX2Func = { context, _, _, _ in
        guard let (builder, _) = builder(context), let element = builder.stack.popLast() else { return }
        if builder.stack.isEmpty {
            builder.root = element
        } else {
            builder.stack[builder.stack.count - 1].children.append(element)
        }
    }

    private static let characters: charactersSAXFunc = { context, bytes, count in
        guard let (builder, _) = builder(context), let bytes, count > 0, !builder.stack.isEmpty else { return }
        builder.stack[builder.stack.count - 1].text += String(decoding: UnsafeBufferPointer(start: bytes, count: Int(count)),
                                                              as: UTF8.self)
    }

    private static let doctypeSeen: internalSubsetSAXFunc = { context, _, _, _ in
        guard let (builder, parser) = builder(context) else { return }
        if builder.doctypeLine == nil { builder.doctypeLine = line(parser) }
        xmlStopParser(parser)
    }

    private static let entityReference: referenceSAXFunc = { context, name in
        guard let (builder, parser) = builder(context) else { return }
        builder.entities.append((line(parser), string(name)))
        xmlStopParser(parser)
    }
}
