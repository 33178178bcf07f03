import DSR
import Foundation
import TestSupport
import XCTest

/// Small DSR files written by the tests, and dsrgen runs.
enum DSRFixture {
    static let fileName = "DSR_PADPIDA2_PADPIDA1_Svc_2020-06_GB_1of1_20200703T075930.tsv"

    static func head(file: Int = 1, of files: Int = 1, created: String = "2020-07-03T07:59:30Z") -> String {
        "HEAD\tdsrf/1.1/1.4.1/1.3\tBasicAudioProfile\t1.3\tMSG1\t\(created)\t\(file)\t\(files)\t2020-06-01\t2020-06-30\tPADPIDA1\tSender\tSvc\tPADPIDA2\tRecipient\t"
    }

    static let summary = "SY01.02\tS1\tSvc\tPADPIDA1\tSubscriptionModel\t\tGB\tSvc\t30\t100\tGBP\t5000.005000500\t0.00\tGBP\t1.00"
    static func release(block: Int = 1) -> String {
        "RE01.02\t\(block)\tR1\tD\(block)\t\t\t5099999999990\tArtist\t\tTitle\t\tAlbum\tLabel\t(P) Label\tLabel\t2020-01-01"
    }
    static func resource(block: Int = 1, ref: String = "A1", isrc: String = "GBAAA2000001") -> String {
        "AS02.03\t\(block)\t\(ref)\tD\(ref)\t\(isrc)\tTrack\t\tArtist\t\tPT3M\tSoundRecording"
    }
    static func usage(block: Int = 1, ref: String = "A1", streams: String = "10", id: String = "T1") -> String {
        "SU02.02\t\(block)\tS1\t\(id)\t\tA1\tTRUE\t\(streams)\t\t\tOnDemandStream".replacingOccurrences(of: "\tA1\t", with: "\t\(ref)\t")
    }

    /// A one-file report with correct FOOT counts: HEAD, `#` heading, the summaries, the body, FOOT.
    static func report(summaries: [String] = [summary],
                       body: [String] = [release(), resource(), usage(), usage(streams: "20", id: "T2")],
                       blocks: Int? = nil, file: Int = 1, of files: Int = 1, reportLines: Int? = nil,
                       reportBlocks: Int? = nil, lineEnd: String = "\n", created: String = "2020-07-03T07:59:30Z") -> String {
        var lines = [head(file: file, of: files, created: created), "#SY01.02\tSummaryRecordId"] + summaries + body
        let blockCount = blocks ?? Set(body.filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { $0.split(separator: "\t", omittingEmptySubsequences: false)[1] }).count
        let count = lines.count + 1
        let last = file == files
        lines.append("FOOT\t\(count)\t\(last ? String(reportLines ?? count) : "")\t\(summaries.count)\t\(blockCount)\t\(last ? String(reportBlocks ?? blockCount) : "")")
        return lines.joined(separator: lineEnd) + lineEnd
    }

    /// Every record of the file at `url`.
    static func records(_ url: URL, gzip: Bool? = nil) throws -> [DSRRecord] {
        let parser = try DSRFileParser(path: url.path, gzip: gzip)
        var records: [DSRRecord] = []
        while let record = try parser.next() { records.append(record) }
        return records
    }

    /// Every event of the report made of `urls`.
    static func events(_ urls: [URL]) throws -> (events: [DSRReportEvent], reader: DSRReportReader) {
        let grouped = DSRReportFiles.group(paths: urls.map(\.path))
        if let error = grouped.rejected.first { throw error }
        guard grouped.reports.count == 1 else { throw DSRError(.missingFile, file: "?", "expected one report, got \(grouped.reports.count)") }
        let reader = DSRReportReader(report: grouped.reports[0])
        var events: [DSRReportEvent] = []
        while let event = try reader.next() { events.append(event) }
        return (events, reader)
    }

    static func usages(_ events: [DSRReportEvent]) -> [DSRUsageLine] {
        events.compactMap { if case .usage(let line) = $0 { return line } else { return nil } }
    }

    static func gzip(_ data: Data, in directory: TemporaryDirectory, name: String) throws -> URL {
        let plain = try directory.write(data, to: "gz-src-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-n", "-c", plain.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try directory.write(output, to: name)
    }
}

/// Asserts that `body` throws a `DSRError` with `code` (and, when given, line and cell).
func assertDSRError<T>(_ code: DSRError.Code, line: Int? = nil, cell: Int? = nil, column: String? = nil,
                       file: StaticString = #filePath, sourceLine: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(code.rawValue), got no error", file: file, line: sourceLine)
    } catch let error as DSRError {
        XCTAssertEqual(error.kind, code, "\(error)", file: file, line: sourceLine)
        if let line { XCTAssertEqual(error.line, line, "\(error)", file: file, line: sourceLine) }
        if let cell { XCTAssertEqual(error.cell, cell, "\(error)", file: file, line: sourceLine) }
        if let column { XCTAssertEqual(error.column, column, "\(error)", file: file, line: sourceLine) }
    } catch {
        XCTFail("expected \(code.rawValue), got \(error)", file: file, line: sourceLine)
    }
}
