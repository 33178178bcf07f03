import Daemon
import Foundation
import Logging
import XCTest

final class LineLogHandlerTests: XCTestCase {
    func testOneLinePerEventWithSortedMetadataAndRedactedSecrets() {
        var handler = LineLogHandler(label: "ddexd.delivery", environment: [:])
        handler.metadata = ["dsp": "spotify"]
        let line = handler.format(level: .warning, message: "upload failed\nsecond line", metadata: ["passphrase": "hunter2", "batch": "2026 11"],
                                  date: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(line, "1970-01-01T00:00:00.000Z warning ddexd.delivery: upload failed\\nsecond line batch=\"2026 11\" dsp=spotify passphrase=<redacted>")
        XCTAssertFalse(line.contains("hunter2"))
    }

    func testJournaldGetsSyslogPrioritiesAndNoTimestamp() {
        let handler = LineLogHandler(label: "ddexd", environment: ["JOURNAL_STREAM": "8:1234"])
        XCTAssertEqual(handler.format(level: .error, message: "boom", metadata: nil, date: Date()), "<3>error ddexd: boom")
        XCTAssertEqual(handler.format(level: .info, message: "ok", metadata: nil, date: Date()), "<6>info ddexd: ok")
    }
}
