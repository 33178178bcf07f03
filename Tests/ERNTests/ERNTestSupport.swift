import DDEXConfig
import DDEXModel
import ERN
import Foundation
import TestSupport
import XCTest
import XMLSupport

/// Sender, DSP profiles and XSD validation shared by the ERN tests.
enum ERNFixtures {
    static let sender = SenderSettings(dpid: dpid("PADPIDA20990000010"), name: "Example Distribution")
    static let createdAt = MessageTimestamp(millisecondsSinceEpoch: 1_740_830_400_123, utcOffsetSeconds: 3600)

    static func dpid(_ s: String) -> DPID {
        guard let d = DPID(s) else { fatalError("test DPID \(s) is invalid") }
        return d
    }

    static func territory(_ s: String) -> Territory {
        guard let t = Territory(s) else { fatalError("test territory \(s) is invalid") }
        return t
    }

    /// Spotify-like: ERN 4.3, batch, remove-deals, worldwide, streaming only, SHA-256 then MD5.
    static func spotify(version: ERNVersion = .ern43, hashes: [HashAlgorithm] = [.sha256, .md5], test: Bool = false) -> DSPProfile {
        DSPProfile(name: "spotify", recipientDPID: dpid("PADPIDA2099000002Y"), recipientName: "Spotify",
                   ernVersion: version, choreography: .batch,
                   commercialModels: ["SubscriptionModel", "AdvertisementSupportedModel"],
                   useTypes: ["OnDemandStream", "NonInteractiveStream", "Stream"], hashAlgorithms: hashes,
                   takedownStyle: .removeDeals, testMode: test,
                   transport: TransportSettings(kind: .local, remoteRoot: "/tmp/none"))
    }

    /// Audius-like: ERN 3.8.2, release-by-release, purge-release, GB and FR only, MD5.
    static func audius(version: ERNVersion = .ern382) -> DSPProfile {
        DSPProfile(name: "audius", recipientDPID: dpid("PADPIDA2011111602K"), recipientName: "Audius",
                   ernVersion: version, choreography: .releaseByRelease, priorityPrefix: .normal,
                   territories: TerritorySet(included: [territory("GB"), territory("FR")]),
                   hashAlgorithms: [.md5], resourceNaming: .isrc, takedownStyle: .purgeRelease,
                   transport: TransportSettings(kind: .local, remoteRoot: "/tmp/none"))
    }

    static func context(_ profile: DSPProfile, messageId: String = "MSG-0001") -> ERNBuildContext {
        ERNBuildContext(sender: sender, profile: profile, messageId: messageId, createdAt: createdAt)
    }

    static func message(_ release: ValidatedRelease, _ profile: DSPProfile, file: StaticString = #filePath,
                        line: UInt = #line) throws -> ERNMessage
    {
        let (message, problems) = ERNMessageBuilder.message(for: release, context: context(profile))
        XCTAssertFalse(problems.hasErrors, "\(problems)", file: file, line: line)
        return try XCTUnwrap(message, file: file, line: line)
    }

    static var xsd43: String { RepositoryPaths.xsd.appendingPathComponent("ern43/release-notification.xsd").path }
    static var xsd382: String { RepositoryPaths.xsd.appendingPathComponent("ern382/release-notification.xsd").path }
    static var xsdChoreography: String { RepositoryPaths.xsd.appendingPathComponent("ern-c-sftp18/ern-choreography-sftp.xsd").path }

    static func xsd(for version: ERNVersion) -> String { version == .ern43 ? xsd43 : xsd382 }

    /// Validates `bytes` with xmllint against `schema`; returns xmllint's complaints (empty when valid).
    static func xmllintIssues(_ bytes: [UInt8], schema: String) throws -> String {
        let dir = try TemporaryDirectory(prefix: "ern-xsd")
        let file = try dir.write(Data(bytes), to: "message.xml")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        process.arguments = ["--noout", "--nonet", "--schema", schema, file.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let output = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 0 { return "" }
        return String(decoding: output, as: UTF8.self) + "\n" + String(decoding: bytes, as: UTF8.self)
    }

    /// The in-process gate, compiled once for the whole test run.
    static let schemas = ERNSchemaSet(settings: SchemaSettings(folder: RepositoryPaths.xsd.path))

    /// Validates with xmllint *and* with the in-process `XSDSchema` gate; both must accept.
    static func assertValid(_ bytes: [UInt8], schema: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let issues = try xmllintIssues(bytes, schema: schema)
        XCTAssertEqual(issues, "", "xmllint: XSD validation failed", file: file, line: line)
        let compiled: XSDSchema = switch schema {
        case xsd43: try schemas.schema(for: .ern43)
        case xsd382: try schemas.schema(for: .ern382)
        default: try schemas.choreography()
        }
        let inProcess = compiled.validate(data: bytes, name: "message.xml")
        XCTAssertEqual(inProcess, [], "XSDSchema: validation failed", file: file, line: line)
    }

    /// Writes `message` in `version` and checks it against the official XSD; returns the XML text.
    @discardableResult
    static func writeValid(_ message: ERNMessage, _ version: ERNVersion, file: StaticString = #filePath,
                           line: UInt = #line) throws -> String
    {
        let bytes = try ERNWriter(version: version).bytes(of: message)
        try assertValid(bytes, schema: xsd(for: version), file: file, line: line)
        return String(decoding: bytes, as: UTF8.self)
    }
}
