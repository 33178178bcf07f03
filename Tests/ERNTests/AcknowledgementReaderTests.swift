import ERN
import TestSupport
import XMLSupport
import XCTest

final class AcknowledgementReaderTests: XCTestCase {
    private let acks = RepositoryPaths.fixtures.appendingPathComponent("acks")

    private func read(_ relative: String) throws -> Acknowledgement {
        try AcknowledgementReader.read(fileAt: acks.appendingPathComponent(relative).path, name: relative)
    }

    func testPart3FixturesAreValidAgainstTheChoreographySchema() throws {
        let schema = try XSDSchema(path: RepositoryPaths.xsd.appendingPathComponent("ern-c-sftp18/ern-choreography-sftp.xsd").path)
        let folder = acks.appendingPathComponent("ern-c-sftp-18")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            XCTAssertEqual(schema.validate(fileAt: folder.appendingPathComponent(name).path), [], name)
        }
    }

    func testPart3FileOK() throws {
        let ack = try read("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml")
        XCTAssertEqual(ack.generation, .ernCSFTP18)
        XCTAssertEqual(ack.ackMessageId, "ACK-MSG-0001")
        XCTAssertEqual(ack.sender, "PADPIDA2011072101T")
        XCTAssertEqual(ack.entries.count, 1)
        let e = ack.entries[0]
        XCTAssertEqual(e.messageId, "MSG-0001")
        XCTAssertEqual(e.batchId, "20261121100000000")
        XCTAssertEqual(e.releaseIds, ["0094631432057"])
        XCTAssertEqual(e.status, "FileOK")
        XCTAssertTrue(e.isSuccess)
    }

    func testPart3ResourceCorruptKeepsTheDSPsWords() throws {
        let e = try read("ern-c-sftp-18/ACK_MSG-0002_20261121100500000.xml").entries[0]
        XCTAssertEqual(e.status, "ResourceCorrupt")
        XCTAssertFalse(e.isSuccess)
        XCTAssertEqual(e.text, "Audio of track 3 is cut short")
        XCTAssertEqual(e.affectedResources, ["GBAYE0601498"])
        XCTAssertEqual(e.proposedAction, "ResendXmlAndResources")
        XCTAssertEqual(e.releaseStatus, "ProcessingErrorAtReleaseDistributor")
    }

    func testPart3MessageInvalidCarriesInformation() throws {
        let ack = try read("ern-c-sftp-18/ACK_MSG-0003_20261121100500000.xml")
        XCTAssertEqual(ack.entries[0].status, "NewReleaseMessageInvalid")
        XCTAssertFalse(ack.entries[0].isSuccess)
        XCTAssertTrue(ack.summary.contains("Invalid content was found"), ack.summary)
    }

    func testFtpAcknowledgementGenerations() throws {
        let ok = try read("ern-c-14/ACK_20261121100000000_0094631432057.xml")
        XCTAssertEqual(ok.generation, .ftpAcknowledgement)
        XCTAssertEqual(ok.entries[0].status, "FileOK")
        XCTAssertEqual(ok.entries[0].releaseIds, ["0094631432057"])
        XCTAssertEqual(ok.entries[0].acknowledgedDate, "20261121100000000")
        XCTAssertTrue(ok.entries[0].isSuccess)

        let missing = try read("ern-c-sftp-16/ACK_20261121100000000_0094631432057.xml")
        XCTAssertEqual(missing.generation, .ftpAcknowledgement)
        XCTAssertEqual(missing.entries[0].status, "ResourceMissing")
        XCTAssertEqual(missing.entries[0].text, "resources/0094631432057_01_002.flac was not found")
        XCTAssertFalse(missing.entries[0].isSuccess)
    }

    func testEcho17() throws {
        let ack = try read("echo-17/ACK_20261121100000000_0094631432057.xml")
        XCTAssertEqual(ack.generation, .echo17)
        XCTAssertEqual(ack.entries[0].messageId, "MSG-0004")
        XCTAssertEqual(ack.entries[0].releaseIds, ["0094631432057"])
        XCTAssertTrue(ack.entries[0].isSuccess)
    }

    func testHostileAndBrokenAcksAreRefusedWithCodes() {
        let cases = [
            "hostile/ACK_doctype.xml": "XML_DOCTYPE_FORBIDDEN",
            "hostile/ACK_truncated.xml": "XML_TRUNCATED",
            "hostile/ACK_unknown-root.xml": "ACK_UNKNOWN_FORMAT",
            "hostile/ACK_empty.xml": "XML_EMPTY",
            "hostile/ACK_no-status.xml": "ACK_EMPTY",
        ]
        for (file, code) in cases {
            XCTAssertThrowsError(try read(file), file) { error in
                let e = error as? AcknowledgementError
                XCTAssertEqual(e?.code, code, "\(file): \(error)")
                XCTAssertEqual(e?.file, file)
            }
        }
    }

    /// The rule every XML ddexd reads follows: UTF-16 bytes under a declaration saying UTF-8 are refused.
    func testAnAckWhoseBytesLieAboutTheirEncodingIsRefused() throws {
        let text = try String(contentsOf: acks.appendingPathComponent("ern-c-sftp-18/ACK_MSG-0001_20261121100500000.xml"), encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        XCTAssertNoThrow(try AcknowledgementReader.parse(data: Array(text.utf8), name: "ACK.xml"))
        let utf16: [UInt8] = [0xFF, 0xFE] + Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        XCTAssertThrowsError(try AcknowledgementReader.parse(data: utf16, name: "ACK.xml")) { error in
            XCTAssertEqual((error as? AcknowledgementError)?.code, "XML_ENCODING", "\(error)")
        }
    }

    func testFileNameParts() {
        XCTAssertEqual(AcknowledgementFileName("ACK_MSG-1_20261121100500000.xml")?.parts, ["MSG-1", "20261121100500000"])
        XCTAssertNil(AcknowledgementFileName("BatchComplete_1.xml"))
    }
}
