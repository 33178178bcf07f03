import Foundation
import TestSupport
import XCTest
@testable import XMLSupport

final class XMLDocumentTests: XCTestCase {
    private func parse(_ text: String, name: String = "doc.xml") throws -> XMLDocument {
        try XMLDocument.parse(data: Array(text.utf8), name: name)
    }

    private func assertRefused(_ bytes: [UInt8], _ code: XMLError.Kind, line: Int? = nil, name: String = "doc.xml",
                               file: StaticString = #filePath, testLine: UInt = #line) -> XMLError?
    {
        do {
            let doc = try XMLDocument.parse(data: bytes, name: name)
            XCTFail("parsed \(doc.root.name), expected \(code.rawValue)", file: file, line: testLine)
            return nil
        } catch {
            XCTAssertEqual(error.kind, code, error.description, file: file, line: testLine)
            XCTAssertEqual(error.file, name, file: file, line: testLine)
            if let line { XCTAssertEqual(error.line, line, error.description, file: file, line: testLine) }
            return error
        }
    }

    private func assertRefused(_ text: String, _ code: XMLError.Kind, line: Int? = nil,
                               file: StaticString = #filePath, testLine: UInt = #line) -> XMLError?
    {
        assertRefused(Array(text.utf8), code, line: line, file: file, testLine: testLine)
    }

    func testGoodDocumentBecomesAValueTree() throws {
        let doc = try parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ern:Root xmlns:ern="urn:ern" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                xsi:schemaLocation="urn:ern x.xsd" Version="4.3">
              <!-- a comment -->
              <List>
                <Item Seq="1"> first &amp; &lt;one&gt; &#233;&#x41; </Item>
                <Item Seq="2"><![CDATA[<raw>]]></Item>
                <Other Note="a &amp; b &#38; c &lt;d&gt; &quot;e&quot; &#233;">x</Other>
              </List>
              <Empty/>
            </ern:Root>
            """)
        let root = doc.root
        XCTAssertEqual(root.name, "Root")
        XCTAssertEqual(root.namespaceURI, "urn:ern")
        XCTAssertEqual(root.line, 3, "the line of the start tag's end")
        XCTAssertEqual(root.attribute("Version"), "4.3")
        XCTAssertEqual(root.attribute("schemaLocation", namespaceURI: "http://www.w3.org/2001/XMLSchema-instance"), "urn:ern x.xsd")
        XCTAssertEqual(root.children.map(\.name), ["List", "Empty"])
        let items = root.all("List", "Item")
        XCTAssertEqual(items.count, 2)
        XCTAssertEqual(items[0].text, " first & <one> éA ")
        XCTAssertEqual(items[0].trimmedText, "first & <one> éA")
        XCTAssertEqual(items[0].attributes, ["Seq": "1"])
        XCTAssertEqual(items[0].line, 6)
        XCTAssertNil(items[0].namespaceURI, "children of a DDEX root are unqualified")
        XCTAssertEqual(items[1].text, "<raw>")
        XCTAssertEqual(root.path("List", "Other")?.trimmedText, "x")
        XCTAssertEqual(root.path("List", "Other")?.attribute("Note"), "a & b & c <d> \"e\" é")
        XCTAssertEqual(root.child("List")?.text(of: "Other"), "x")
        XCTAssertEqual(root.child("List")?.texts(of: "Item"), ["first & <one> éA", "<raw>"])
        XCTAssertNil(root.path("List", "Missing"))
        XCTAssertEqual(root.child("Empty")?.text, "")
        XCTAssertEqual(root.descendants("Item").count, 2)
        XCTAssertEqual(doc.name, "doc.xml")
    }

    func testReadsAFile() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("<a><b>1</b></a>\n", to: "x.xml")
        let doc = try XMLDocument.read(fileAt: file.path)
        XCTAssertEqual(doc.root.text(of: "b"), "1")
        XCTAssertEqual(doc.name, file.path)
        XCTAssertEqual(try XMLDocument.read(fileAt: file.path, name: "x.xml").name, "x.xml")
    }

    func testOfficialSampleParses() throws {
        let path = RepositoryPaths.samples.appendingPathComponent("ern43/1-Audio.xml").path
        let doc = try XMLDocument.read(fileAt: path, name: "1-Audio.xml")
        XCTAssertEqual(doc.root.name, "NewReleaseMessage")
        XCTAssertEqual(doc.root.namespaceURI, "http://ddex.net/xml/ern/43")
        XCTAssertEqual(doc.root.all("ResourceList", "SoundRecording").count, 21)
        XCTAssertEqual(doc.root.path("PartyList", "Party", "PartyName", "FullName")?.trimmedText, "Saeko Shu")
    }

    func testInternalSubsetDoctypeIsRefused() {
        let error = assertRefused("<?xml version=\"1.0\"?>\n<!DOCTYPE a [ <!ELEMENT a (#PCDATA)> ]>\n<a>x</a>", .doctypeForbidden, line: 2)
        XCTAssertEqual(error?.code, "XML_DOCTYPE_FORBIDDEN")
        XCTAssertEqual(error?.issues.first?.line, 2)
        _ = assertRefused("<!DOCTYPE a>\n<a/>", .doctypeForbidden, line: 1)
    }

    func testExternalEntityIsNeverRead() throws {
        let dir = try TemporaryDirectory()
        let secret = try dir.write("TOP-SECRET-CONTENT", to: "secret.txt")
        let error = assertRefused(HostileXML.xxe(fileURL: secret.absoluteString), .doctypeForbidden, line: 2)
        XCTAssertFalse(error?.description.contains("TOP-SECRET") ?? true)
        XCTAssertFalse(error?.issues.contains { $0.message.contains("TOP-SECRET") } ?? true)
    }

    func testBillionLaughsIsRefusedQuickly() {
        let started = Date()
        _ = assertRefused(HostileXML.billionLaughs, .doctypeForbidden, line: 2)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
    }

    func testExternalDTDIsRefusedWithoutFetching() {
        let started = Date()
        _ = assertRefused(HostileXML.externalDTD(url: "http://192.0.2.1/evil.dtd"), .doctypeForbidden, line: 2)
        _ = assertRefused(HostileXML.externalDTD(url: "/etc/passwd"), .doctypeForbidden, line: 2)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
    }

    func testUndeclaredEntitiesAreRefused() {
        _ = assertRefused("<a>\n&foo;</a>", .entityForbidden, line: 2)
        _ = assertRefused("<a b=\"&foo;\"/>", .entityForbidden, line: 1)
    }

    func testMalformedDocumentIsLocated() {
        let error = assertRefused("<a>\n  <b>\n</a>", .malformed, line: 3)
        XCTAssertGreaterThan(error?.column ?? 0, 0)
        XCTAssertTrue(error?.message.contains("mismatch") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.description.hasPrefix("doc.xml:3:") ?? false, error?.description ?? "")
        _ = assertRefused("<a/><b/>", .malformed, line: 1)
        _ = assertRefused("<a>\u{1}</a>", .malformed, line: 1)
    }

    func testTruncatedDocumentsAreRecognised() throws {
        let sample = try Data(contentsOf: RepositoryPaths.samples.appendingPathComponent("ern43/4-SimpleAudioSingle.xml"))
        for cut in [100, 5000, 5001, 5002, 5003, sample.count / 2, sample.count - 30, sample.count - 2] {
            _ = assertRefused(Array(sample.prefix(cut)), .truncated, name: "cut-\(cut).xml")
        }
        _ = assertRefused("<a><b x=\"", .truncated)
    }

    func testEmptyDocumentsAreRecognised() {
        _ = assertRefused([], .empty)
        _ = assertRefused("  \n\t ", .empty)
        _ = assertRefused([0xEF, 0xBB, 0xBF], .empty)
        _ = assertRefused("<?xml version=\"1.0\"?>\n", .empty)
    }

    func testEncodingErrorsAreRecognised() {
        let invalidUTF8 = Array("<a>\n".utf8) + [0xC3, 0x28, 0xFF] + Array("</a>".utf8)
        let error = assertRefused(invalidUTF8, .encoding, line: 2)
        XCTAssertTrue(error?.message.contains("UTF-8") ?? false)
        let latin1 = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>caf".utf8) + [0xE9] + Array("</a>".utf8)
        _ = assertRefused(latin1, .encoding, line: 1)
        _ = assertRefused("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>x</a>", .encoding, line: 1)
        _ = assertRefused("<?xml version=\"1.0\" encoding=\"X-NOPE\"?><a>x</a>", .encoding, line: 1)
    }

    /// libxml2 reads UTF-16 from the byte order mark and ignores a declaration saying UTF-8: ddexd refuses the lie.
    func testUTF16BytesDeclaredAsUTF8AreRefused() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>x</a>"
        let littleEndian: [UInt8] = [0xFF, 0xFE] + Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let error = assertRefused(littleEndian, .encoding, line: 1)
        XCTAssertTrue(error?.message.contains("UTF-16 (little-endian)") ?? false, error?.message ?? "")
        XCTAssertTrue(error?.message.contains("encoding=\"UTF-8\"") ?? false, error?.message ?? "")
        // Without a byte order mark, and big-endian.
        let bigEndian = Array(text.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        _ = assertRefused(bigEndian, .encoding, line: 1)
        // UTF-8 bytes with a UTF-8 BOM declared as Latin-1, and UCS-4.
        _ = assertRefused([0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>".utf8), .encoding, line: 1)
        _ = assertRefused([0x00, 0x00, 0x00, 0x3C, 0x00, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x00, 0x3E], .encoding, line: 1)
    }

    func testUTF16ThatSaysSoIsRead() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<a>caf\u{E9}</a>"
        let bytes: [UInt8] = [0xFF, 0xFE] + Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertEqual(try XMLDocument.parse(data: bytes, name: "u.xml").root.text, "café")
        let undeclared: [UInt8] = [0xFE, 0xFF] + Array("<a>x</a>".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        XCTAssertEqual(try XMLDocument.parse(data: undeclared, name: "u.xml").root.text, "x")
        let bom8 = [0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>y</a>".utf8)
        XCTAssertEqual(try XMLDocument.parse(data: bom8, name: "u.xml").root.text, "y")
    }

    func testDeclaredLatin1IsDecoded() throws {
        let bytes = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf".utf8) + [0xE9] + Array("</a>".utf8)
        XCTAssertEqual(try XMLDocument.parse(data: bytes, name: "l.xml").root.text, "café")
    }

    func testTooLargeInputIsRefusedBeforeParsing() throws {
        let dir = try TemporaryDirectory()
        let text = "<a>" + String(repeating: "x", count: 2000) + "</a>"
        let file = try dir.write(text, to: "big.xml")
        let limits = XMLReadOptions(maxBytes: 1000)
        XCTAssertThrowsError(try XMLDocument.read(fileAt: file.path, name: "big.xml", options: limits)) { error in
            XCTAssertEqual((error as? XMLError)?.kind, .tooLarge)
            XCTAssertEqual((error as? XMLError)?.file, "big.xml")
        }
        XCTAssertThrowsError(try XMLDocument.parse(data: Array(text.utf8), name: "big.xml", options: limits)) { error in
            XCTAssertEqual((error as? XMLError)?.kind, .tooLarge)
        }
        XCTAssertNoThrow(try XMLDocument.read(fileAt: file.path, options: XMLReadOptions(maxBytes: 2007)))
    }

    func testUnreadableFiles() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try XMLDocument.read(fileAt: dir.path + "/missing.xml")) { error in
            XCTAssertEqual((error as? XMLError)?.kind, .unreadable)
        }
        XCTAssertThrowsError(try XMLDocument.read(fileAt: dir.path)) { error in
            XCTAssertEqual((error as? XMLError)?.kind, .unreadable)
        }
    }

    func testExcessiveNestingIsRefusedNotCrashed() {
        let depth = 100_000
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        _ = assertRefused(text, .malformed, line: 1)
    }

    func testProblemCarriesCodeAndLocation() {
        let error = assertRefused("<a>\n<b></a>", .malformed)
        let problem = error?.problem(file: "master.xml")
        XCTAssertEqual(problem?.code.rawValue, "XML_MALFORMED")
        XCTAssertEqual(problem?.location, "master.xml:2")
    }
}
