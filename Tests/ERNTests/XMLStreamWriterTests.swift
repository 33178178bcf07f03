import Foundation
import TestSupport
import XCTest
import XMLSupport

final class XMLStreamWriterTests: XCTestCase {
    private func render(_ body: (XMLStreamWriter) -> Void) throws -> String {
        let w = XMLStreamWriter()
        body(w)
        try w.finish()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    func testEscapesTextAndAttributes() throws {
        let xml = try render { w in
            w.startElement("a")
            w.attribute("q", "say \"hi\" & 'bye' <x>\t\n\r")
            w.text("Tom & Jerry <3 > \"quoted\" 'single'\r\n\tend")
            w.endElement()
        }
        XCTAssertEqual(xml, "<a q=\"say &quot;hi&quot; &amp; &apos;bye&apos; &lt;x&gt;&#9;&#10;&#13;\">"
            + "Tom &amp; Jerry &lt;3 &gt; \"quoted\" 'single'&#13;\n\tend</a>\n")
    }

    func testKeepsUnicodeAndWritesEmptyElements() throws {
        let xml = try render { w in
            w.startElement("r")
            w.element("t", "夢のララバイ – ☃")
            w.startElement("e")
            w.attribute("x", "1")
            w.endElement()
            w.element("n", -1234567890)
            w.element("z", 0)
            w.endElement("r")
        }
        XCTAssertEqual(xml, "<r><t>夢のララバイ – ☃</t><e x=\"1\"/><n>-1234567890</n><z>0</z></r>\n")
    }

    func testRejectsCharactersXMLCannotCarry() {
        for bad in ["bell\u{07}", "nul\u{0}", "esc\u{1B}", "nonchar\u{FFFE}", "nonchar\u{FFFF}"] {
            let w = XMLStreamWriter()
            w.startElement("Title")
            w.text(bad)
            w.endElement()
            XCTAssertThrowsError(try w.finish(), bad) { error in
                XCTAssertEqual((error as? XMLWriteError)?.kind, .invalidCharacter)
                XCTAssertTrue("\(error)".contains("Title"), "\(error)")
            }
        }
        let w = XMLStreamWriter()
        w.startElement("a")
        w.attribute("v", "x\u{1}")
        w.endElement()
        XCTAssertThrowsError(try w.finish())
    }

    func testChecksElementNesting() {
        let unclosed = XMLStreamWriter()
        unclosed.startElement("a")
        unclosed.startElement("b")
        unclosed.endElement()
        XCTAssertThrowsError(try unclosed.finish()) { XCTAssertEqual(($0 as? XMLWriteError)?.kind, .unbalanced) }

        let mismatched = XMLStreamWriter()
        mismatched.startElement("a")
        mismatched.startElement("b")
        mismatched.endElement("a")
        XCTAssertThrowsError(try mismatched.finish()) { XCTAssertTrue("\($0)".contains("</a> closes <b>")) }

        let tooMany = XMLStreamWriter()
        tooMany.startElement("a")
        tooMany.endElement()
        tooMany.endElement()
        XCTAssertThrowsError(try tooMany.finish())

        let lateAttribute = XMLStreamWriter()
        lateAttribute.startElement("a")
        lateAttribute.text("x")
        lateAttribute.attribute("k", "v")
        lateAttribute.endElement()
        XCTAssertThrowsError(try lateAttribute.finish()) { XCTAssertEqual(($0 as? XMLWriteError)?.kind, .misplacedAttribute) }
    }

    func testIndentation() throws {
        let w = XMLStreamWriter(indentWidth: 2)
        w.startDocument()
        w.startElement("a")
        w.startElement("b")
        w.element("c", "x")
        w.endElement()
        w.endElement()
        try w.finish()
        XCTAssertEqual(String(decoding: w.bytes, as: UTF8.self),
                       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\n  <b>\n    <c>x</c>\n  </b>\n</a>\n")
    }

    /// A document much larger than the 64 KiB buffer comes out of the file writer byte for byte as in memory.
    func testFileOutputMatchesMemoryAcrossFlushes() throws {
        let dir = try TemporaryDirectory(prefix: "xmlwriter")
        let path = dir.path + "/big.xml"
        func body(_ w: XMLStreamWriter) {
            w.startDocument()
            w.startElement("list")
            for i in 0..<20_000 { w.element("item", "value \(i) & <more>") }
            w.endElement()
        }
        let memory = XMLStreamWriter(indentWidth: 1)
        body(memory)
        try memory.finish()
        let file = try XMLStreamWriter(fileAt: path, indentWidth: 1, bufferSize: 64 * 1024)
        body(file)
        try file.finish()
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertGreaterThan(onDisk.count, 5 * 64 * 1024)
        XCTAssertEqual(onDisk, Data(memory.bytes))
        XCTAssertEqual(file.byteCount, onDisk.count)
    }

    func testReportsUnwritableFile() {
        XCTAssertThrowsError(try XMLStreamWriter(fileAt: "/nonexistent-dir/x.xml")) {
            XCTAssertEqual(($0 as? XMLWriteError)?.kind, .io)
        }
    }
}
