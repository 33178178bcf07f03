import Daemon
import DDEXModel
import Foundation
import TestSupport
import XCTest

final class StatusFilesTests: XCTestCase {
    private let fixed = "2026-11-21T10:00:00.000Z"

    private func sampleDaemonStatus() -> DaemonStatus {
        var status = DaemonStatus(version: "0.1.0", pid: 4242, startedAt: fixed, heartbeatAt: fixed,
                                  state: "running", configFile: "/etc/ddexd/ddexd.toml")
        status.packages.received = 1
        status.dsps["spotify"] = .init(enabled: true, lastSuccessAt: fixed,
                                       lastError: StatusError(code: "SFTP_TIMEOUT", message: "timed out", at: fixed),
                                       queueDepth: 2, inFlight: 1, delivered: 3)
        status.dsps["you\"tube"] = .init(enabled: false)
        return status
    }

    private func samplePackageStatus() -> PackageStatus {
        PackageStatus(
            packageId: "20261121T101500Z-album-flac", account: "example-label", source: "inbound/example-label/album-flac", state: "built",
            problems: [.warning("DURATION_MISMATCH", at: "release.json: tracks[0].duration", "declared 3:00, file 3:02")],
            timeline: [.init(at: fixed, event: "received"), .init(at: fixed, event: "built", dsp: "spotify")],
            dsps: ["spotify": .init(state: "rejected-by-dsp", batchId: "20261121101500000", messageId: "M1", attempts: 1,
                                    ack: .init(status: "ResourceCorrupt", text: "track 3", receivedAt: fixed, file: "ACK_1.xml")),
                   "labelcamp": .init(state: "not-built", problems: [.error("DSP_COVER_TOO_SMALL", at: "resources/cover.jpg", "640 < 3000")])],
            updatedAt: fixed)
    }

    func testStatusFilesAreWrittenAtomicallyAndReadBack() throws {
        let dir = try TemporaryDirectory(prefix: "status")
        let writer = StatusWriter(folder: dir.path)
        try writer.write(sampleDaemonStatus())
        try writer.write(samplePackageStatus())
        XCTAssertEqual(try writer.readDaemonStatus(), sampleDaemonStatus())
        XCTAssertEqual(try writer.readPackageStatuses().map(\.packageId), ["20261121T101500Z-album-flac"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary files left behind")
    }

    func testPrometheusTextEscapesLabelsAndCarriesQueues() throws {
        let text = PrometheusText.render(sampleDaemonStatus())
        XCTAssertTrue(text.contains("ddexd_dsp_queue_depth{dsp=\"spotify\"} 2\n"), text)
        XCTAssertTrue(text.contains("ddexd_dsp_in_flight{dsp=\"you\\\"tube\"} 0\n"), text)
        XCTAssertTrue(text.contains("# TYPE ddexd_up gauge\nddexd_up 1\n"), text)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            XCTAssertNotNil(Double(line.split(separator: " ").last ?? ""), "sample value of \(line)")
        }
    }

    /// The files validate against the JSON Schemas published in Config/schemas (checked with Python's jsonschema).
    func testStatusFilesValidateAgainstThePublishedSchemas() throws {
        let dir = try TemporaryDirectory(prefix: "status-schema")
        let writer = StatusWriter(folder: dir.path)
        try writer.write(sampleDaemonStatus())
        try writer.write(samplePackageStatus())
        let schemas = RepositoryPaths.config.appendingPathComponent("schemas")
        try assertValid(writer.daemonFile, schema: schemas.appendingPathComponent("status-daemon.schema.json").path)
        try assertValid(writer.packageFile("20261121T101500Z-album-flac"), schema: schemas.appendingPathComponent("status-package.schema.json").path)
    }

    private func assertValid(_ file: String, schema: String, line: UInt = #line) throws {
        XCTAssertEqual(try JSONSchemaCheck.problems(file: file, schema: schema), "", "\(file) against \(schema)", line: line)
    }
}
