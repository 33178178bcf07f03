@testable import Daemon
import DDEXRuntime
import Logging
import Store
import XCTest

/// `CLOCK_SKEW`: the daemon tells the operator when its host's clock is off the database server's, once per change.
final class ClockSkewReportTests: XCTestCase {
    func testASkewedClockIsReportedOnceUntilItChangesAndItsEndIsNoticed() {
        let recorder = RecordingLogHandler.Records()
        let logger = Logger(label: "ddexd.cluster") { _ in RecordingLogHandler(records: recorder) }
        var report = ClockSkewReport()
        report.note(nil, logger: logger)
        report.note(ClusterClock.Reading(offset: 0.8, uncertainty: 0.01), logger: logger)
        report.note(ClusterClock.Reading(offset: 3, uncertainty: 2.5), logger: logger)
        XCTAssertEqual(recorder.lines.current, [], "within a second, or within the measurement's error, is normal")

        report.note(ClusterClock.Reading(offset: -42.5, uncertainty: 0.002), logger: logger)
        report.note(ClusterClock.Reading(offset: -42.9, uncertainty: 0.002), logger: logger)
        XCTAssertEqual(recorder.lines.current, ["warning CLOCK_SKEW offset_seconds=-42.500"], "once, not at every heartbeat")
        report.note(ClusterClock.Reading(offset: -120, uncertainty: 0.002), logger: logger)
        report.note(ClusterClock.Reading(offset: 0.1, uncertainty: 0.002), logger: logger)
        XCTAssertEqual(recorder.lines.current, ["warning CLOCK_SKEW offset_seconds=-42.500", "warning CLOCK_SKEW offset_seconds=-120.000",
                                                "notice agrees"])
        XCTAssertNil(report.warnedOffset)
    }
}

/// Keeps what is logged as `<level> <code> offset_seconds=<offset>`, or `<level> agrees` for a message without code.
private struct RecordingLogHandler: LogHandler {
    final class Records: Sendable { let lines = Locked<[String]>([]) }
    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let line = event.metadata?["code"].map { "\(event.level) \($0) offset_seconds=\(event.metadata?["offset_seconds"] ?? "")" }
            ?? "\(event.level) \(event.message.description.contains("agrees") ? "agrees" : event.message.description)"
        records.lines.withLock { $0.append(line) }
    }
}
