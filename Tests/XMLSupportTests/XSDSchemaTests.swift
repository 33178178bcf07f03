import Foundation
import TestSupport
import XCTest
@testable import XMLSupport

/// Compiled schemas shared by the tests: the ERN 4.3 XSD with its AVS takes a moment to compile.
enum Schemas {
    static let ern43: Result<XSDSchema, Error> = Result { try XSDSchema(path: xsd("ern43/release-notification.xsd")) }
    static let ern382: Result<XSDSchema, Error> = Result { try XSDSchema(path: xsd("ern382/release-notification.xsd")) }

    static func xsd(_ relative: String) -> String { RepositoryPaths.xsd.appendingPathComponent(relative).path }
}

final class XSDSchemaTests: XCTestCase {
    private var samples: URL { RepositoryPaths.samples.appendingPathComponent("ern43") }

    /// Every schema shipped in Config/ddex-xsd compiles offline, and the NOTICE names each one.
    func testEveryShippedSchemaLoadsAndIsInTheNotice() throws {
        _ = try Schemas.ern43.get()
        _ = try Schemas.ern382.get()
        let folder = RepositoryPaths.xsd
        let notice = try String(contentsOf: folder.appendingPathComponent("NOTICE"), encoding: .utf8)
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".xsd") }.sorted()
        XCTAssertEqual(files, ["ern-c-sftp18/ern-choreography-sftp.xsd", "ern-c-sftp18/xmldsig-core-schema.xsd",
                               "ern382/avs_20161006.xsd", "ern382/release-notification.xsd",
                               "ern43/allowed-value-sets.xsd", "ern43/release-notification.xsd"])
        for relative in files {
            XCTAssertNoThrow(try XSDSchema(path: Schemas.xsd(relative)), relative)
            XCTAssertTrue(notice.contains(relative), "NOTICE does not name \(relative)")
        }
    }

    func testAllOfficialERN43SamplesValidate() throws {
        let schema = try Schemas.ern43.get()
        let files = try FileManager.default.contentsOfDirectory(atPath: samples.path).filter { $0.hasSuffix(".xml") }.sorted()
        XCTAssertEqual(files.count, 9)
        for file in files {
            let path = samples.appendingPathComponent(file).path
            XCTAssertEqual(schema.validate(fileAt: path), [], file)
        }
    }

    func testInMemoryValidationMatchesFileValidation() throws {
        let schema = try Schemas.ern43.get()
        let bytes = try [UInt8](Data(contentsOf: samples.appendingPathComponent("1-Audio.xml")))
        XCTAssertEqual(schema.validate(data: bytes, name: "1-Audio.xml"), [])
        let broken = try Self.wrongOrderSample()
        let fromMemory = schema.validate(data: Array(broken.utf8), name: "broken.xml")
        let dir = try TemporaryDirectory()
        let file = try dir.write(broken, to: "broken.xml")
        let fromFile = schema.validate(fileAt: file.path)
        XCTAssertEqual(fromMemory.map(\.line), fromFile.map(\.line))
        XCTAssertEqual(fromMemory.map(\.message), fromFile.map(\.message))
        XCTAssertEqual(fromFile.first?.file, file.path)
        XCTAssertEqual(fromMemory.first?.file, "broken.xml")
    }

    func testWrongElementOrderGivesIssuesWithLineNumbers() throws {
        let schema = try Schemas.ern43.get()
        let issues = schema.validate(data: Array(try Self.wrongOrderSample().utf8), name: "broken.xml")
        XCTAssertFalse(issues.isEmpty)
        // Line 43 now holds <Type> where <ResourceReference> must come first.
        let first = try XCTUnwrap(issues.first)
        XCTAssertEqual(first.line, 43, "\(issues)")
        XCTAssertTrue(first.message.contains("Type"), first.message)
        XCTAssertTrue(first.description.hasPrefix("broken.xml:43: "), first.description)
    }

    func testSeveralErrorsAreAllReported() throws {
        let schema = try Schemas.ern43.get()
        var text = try String(contentsOf: samples.appendingPathComponent("1-Audio.xml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "<Duration>PT2M28S</Duration>", with: "<Duration>2:28</Duration>")
        text = text.replacingOccurrences(of: "<Duration>PT1M42S</Duration>", with: "<Duration>1:42</Duration>")
        let issues = schema.validate(data: Array(text.utf8), name: "two.xml")
        XCTAssertEqual(issues.map(\.line), [88, 137], "\(issues)")
    }

    func testMalformedDocumentIsReportedNotCrashed() throws {
        let schema = try Schemas.ern43.get()
        let issues = schema.validate(data: Array("<a><b></a>".utf8), name: "bad.xml")
        XCTAssertFalse(issues.isEmpty)
        XCTAssertEqual(issues.first?.line, 1)
        XCTAssertEqual(schema.validate(data: [], name: "empty.xml").count, 1)
        XCTAssertEqual(schema.validate(fileAt: "/nonexistent/ddexd.xml").count, 1)
    }

    func testDoctypeIsRefusedDuringValidation() throws {
        let schema = try Schemas.ern43.get()
        let laughs = HostileXML.billionLaughs
        let started = Date()
        let issues = schema.validate(data: Array(laughs.utf8), name: "lol.xml")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertEqual(issues.count, 1, "\(issues)")
        XCTAssertTrue(issues[0].message.contains("DOCTYPE"), issues[0].message)
        XCTAssertEqual(issues[0].line, 2)

        let dir = try TemporaryDirectory()
        let secret = try dir.write("top secret", to: "secret.txt")
        let xxe = try dir.write(HostileXML.xxe(fileURL: secret.absoluteString), to: "xxe.xml")
        let xxeIssues = schema.validate(fileAt: xxe.path)
        XCTAssertTrue(xxeIssues.contains { $0.message.contains("DOCTYPE") }, "\(xxeIssues)")
        XCTAssertFalse(xxeIssues.contains { $0.message.contains("top secret") })
    }

    func testSchemaLoadFailuresAreCoded() throws {
        XCTAssertThrowsError(try XSDSchema(path: "/nonexistent/schema.xsd")) { error in
            XCTAssertEqual((error as? XMLError)?.code, "XSD_LOAD_FAILED")
        }
        let dir = try TemporaryDirectory()
        let broken = try dir.write("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:element name=\"a\" type=\"nope\"/></xs:schema>", to: "broken.xsd")
        XCTAssertThrowsError(try XSDSchema(path: broken.path)) { error in
            let xmlError = error as? XMLError
            XCTAssertEqual(xmlError?.code, "XSD_LOAD_FAILED")
            XCTAssertEqual(xmlError?.line, 1)
        }
    }

    func testSchemaImportFromTheNetworkIsRefused() throws {
        // 192.0.2.1 is TEST-NET-1: a fetch attempt would hang or fail slowly; the guard fails at once.
        let dir = try TemporaryDirectory()
        let xsd = try dir.write("""
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:o="urn:other" targetNamespace="urn:t">
              <xs:import namespace="urn:other" schemaLocation="http://192.0.2.1/other.xsd"/>
              <xs:element name="a" type="o:T"/>
            </xs:schema>
            """, to: "net.xsd")
        let started = Date()
        XCTAssertThrowsError(try XSDSchema(path: xsd.path)) { error in
            XCTAssertEqual((error as? XMLError)?.code, "XSD_LOAD_FAILED")
            XCTAssertTrue((error as? XMLError)?.message.contains("refused to fetch 'http://192.0.2.1/other.xsd'") == true, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertFalse(LibXMLNetworkGuard.isLocal("http://192.0.2.1/x.xsd"))
        XCTAssertFalse(LibXMLNetworkGuard.isLocal("FTP://host/x"))
        XCTAssertTrue(LibXMLNetworkGuard.isLocal("file:///tmp/x.xsd"))
        XCTAssertTrue(LibXMLNetworkGuard.isLocal("../ern43/allowed-value-sets.xsd"))
        XCTAssertTrue(LibXMLNetworkGuard.isLocal("/tmp/a:b.xsd"))
    }

    func testConcurrentValidationsAgreeWithSerialOnes() throws {
        let schema = try Schemas.ern43.get()
        let broken = Array(try Self.wrongOrderSample().utf8)
        let good = samples.appendingPathComponent("4-SimpleAudioSingle.xml").path
        let expectedBroken = schema.validate(data: broken, name: "broken.xml")
        let results = UnsafeResults(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            results.set(i, i % 2 == 0 ? schema.validate(data: broken, name: "broken.xml") : schema.validate(fileAt: good))
        }
        for i in 0..<8 {
            XCTAssertEqual(results.get(i), i % 2 == 0 ? expectedBroken : [], "run \(i)")
        }
    }

    /// 1-Audio.xml with the first SoundRecording's `ResourceReference` and `Type` swapped (lines 43-44).
    static func wrongOrderSample() throws -> String {
        let url = RepositoryPaths.samples.appendingPathComponent("ern43/1-Audio.xml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let original = "<ResourceReference>A1</ResourceReference>\n         <Type>MusicalWorkSoundRecording</Type>"
        let swapped = "<Type>MusicalWorkSoundRecording</Type>\n         <ResourceReference>A1</ResourceReference>"
        XCTAssertTrue(text.contains(original))
        return text.replacingOccurrences(of: original, with: swapped)
    }
}

/// Results written from `concurrentPerform`, each slot by one iteration.
private final class UnsafeResults: @unchecked Sendable {
    private var values: [[XMLIssue]]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [XMLIssue]) { lock.withLock { values[i] = v } }
    func get(_ i: Int) -> [XMLIssue] { lock.withLock { values[i] } }
}
