import DDEXConfig
import DDEXModel
@testable import Delivery
import DSR
import Foundation
import Store
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class PollingDSRTests: XCTestCase {
    /// A two-file gzip report, made once by dsrgen (golden fixture); tests copy its files, never change them.
    static let golden = GoldenReport.seed9TwoGzipFilesNegative

    private func report() throws -> (folder: String, names: [String], key: DSRReportKey) {
        let names = Self.golden.reportFiles.map(\.lastPathComponent)
        XCTAssertEqual(names.count, 2, "\(names)")
        let key = try DSRFileName(parsing: names[0]).reportKey
        return (Self.golden.folder.path, names, key)
    }

    /// Copies report files into the DSP's `reports/` folder.
    private func place(_ names: [String], from folder: String, into f: PollFixture, transform: ((Data) -> Data)? = nil) throws {
        for name in names {
            var data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            if let transform { data = transform(data) }
            try f.directory.write(data, to: "dropbox/reports/" + name)
        }
    }

    private func semaphore(_ key: DSRReportKey, form: Int) -> String {
        let base = "\(key.recipient)_\(key.sender)_\(key.service)_\(key.period)_\(key.territory)_\(key.created)"
        switch form {
        case 1: return "reports/DSR_\(base).ctrl"
        case 2: return "reports/ACK_\(base).ctrl"
        default: return "reports/file_available/_DSR_\(base).ctrl"
        }
    }

    private func reports(_ f: PollFixture) throws -> [(state: String, usageLines: Int64?)] {
        try DSRReportStore(database: f.database).reports().map { ($0.state.rawValue, $0.usageLineCount.map(Int64.init)) }
    }

    // MARK: Semaphores

    func testAReportWithoutItsSemaphoreIsNotTaken() throws {
        let (folder, names, key) = try report()
        let f = try PollFixture(dsrFolder: "reports")
        try place(names, from: folder, into: f)
        let counter = CountingTransport(root: f.dropBox)
        let summary = f.pass(transport: counter)
        XCTAssertFalse(summary.hasFailures)
        XCTAssertEqual(summary.reports.waiting.map(\.report), [key.description])
        XCTAssertEqual(summary.reports.fetched, [])
        XCTAssertEqual(counter.downloads, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.archive + "/dsr"))
        XCTAssertEqual(try reports(f).count, 0)
    }

    func testEachSemaphoreFormTakesTheReportOnce() throws {
        let (folder, names, key) = try report()
        for form in 1...3 {
            let f = try PollFixture(dsrFolder: "reports")
            try place(names, from: folder, into: f)
            try f.write("", to: semaphore(key, form: form))
            let counter = CountingTransport(root: f.dropBox)
            let summary = f.pass(transport: counter)
            XCTAssertFalse(summary.hasFailures, "form \(form): \(summary.reports)")
            XCTAssertEqual(summary.reports.fetched, names.map { "reports/" + $0 }, "form \(form)")
            XCTAssertEqual(summary.reports.loaded.map(\.report), [key.description], "form \(form)")
            XCTAssertEqual(summary.reports.loaded.first?.detail, "loaded")
            XCTAssertEqual(counter.downloads, names.map { "reports/\($0) from 0" })

            // Archived whole, recorded with the SHA-256 that sha256sum computes, and loaded.
            let fetched = try DSRReportStore(database: f.database).fetches(dsp: "spotify")
            XCTAssertEqual(fetched.map(\.state), [.loaded, .loaded])
            XCTAssertEqual(fetched.map(\.afterFetch), [.kept, .kept])
            for (row, name) in zip(fetched, names) {
                XCTAssertEqual(row.localPath, f.archive + "/dsr/spotify/" + name)
                XCTAssertEqual(row.sha256, try ReferenceTools.digest(folder + "/" + name).sha256)
                XCTAssertEqual(try ReferenceTools.digest(row.localPath).sha256, row.sha256)
                XCTAssertEqual(row.reportId, summary.reports.loaded.first?.reportId)
            }
            let stored = try reports(f)
            XCTAssertEqual(stored.map(\.state), ["loaded"])
            XCTAssertEqual(stored.first?.usageLines, Int64(try Self.golden.usageLineCount()), "every usage line of the report")

            // Polled again: the files are still there (after_fetch = keep), nothing is fetched or loaded twice.
            let again = f.pass(transport: counter)
            XCTAssertEqual(again.reports.fetched, [])
            XCTAssertEqual(again.reports.loaded, [])
            XCTAssertEqual(again.reports.done, [key.description])
            XCTAssertEqual(counter.downloads.count, 2, "form \(form)")
            XCTAssertEqual(try reports(f).count, 1)
        }
    }

    func testSemaphoreNames() {
        let base = "PADPIDA2019071502R_PADPIDA1314952773X_SpotifyPremium_2020-06-01--2020-06-30_multi"
        let key = DSRReportKey(recipient: "PADPIDA2019071502R", sender: "PADPIDA1314952773X", service: "SpotifyPremium",
                               period: "2020-06-01--2020-06-30", territory: "multi", created: "20200703T075930")
        XCTAssertEqual(DSRSemaphore.reportKey(semaphore: "DSR_\(base)_20200703T075930.ctrl"), key)
        XCTAssertEqual(DSRSemaphore.reportKey(semaphore: "DSR_\(base)__20200703T075930.ctrl"), key, "an empty XofY element")
        XCTAssertEqual(DSRSemaphore.reportKey(semaphore: "ACK_\(base)_20200703T075930.ctrl"), key)
        XCTAssertEqual(DSRSemaphore.reportKey(semaphore: "DSR_\(base)_20200703T075930.tsv.gz.ctrl"), key)
        XCTAssertEqual(DSRSemaphore.reportKey(semaphore: "_DSR_\(base)_20200703T075930.ctrl", inFileAvailable: true), key)
        XCTAssertNil(DSRSemaphore.reportKey(semaphore: "_DSR_\(base)_20200703T075930.ctrl"), "the underscore form only in file_available/")
        XCTAssertNil(DSRSemaphore.reportKey(semaphore: "DSR_\(base)_20200703T075930.tsv"))
        XCTAssertNil(DSRSemaphore.reportKey(semaphore: "DSR_broken.ctrl"))
        XCTAssertNil(DSRSemaphore.reportKey(semaphore: "BatchComplete_1.ctrl"))
    }

    // MARK: Completeness

    func testAMissingPartIsNotTakenUntilItArrives() throws {
        let (folder, names, key) = try report()
        let f = try PollFixture(dsrFolder: "reports")
        try place([names[0]], from: folder, into: f)
        try f.write("", to: semaphore(key, form: 1))
        let counter = CountingTransport(root: f.dropBox)
        let waiting = f.pass(transport: counter)
        XCTAssertEqual(waiting.reports.waiting.map(\.code), ["DSR_MISSING_FILE"])
        XCTAssertTrue(waiting.reports.waiting.first?.detail?.contains("file(s) 2 of 2 are missing") == true, "\(waiting.reports)")
        XCTAssertEqual(counter.downloads, [])

        try place([names[1]], from: folder, into: f)
        let loaded = f.pass(transport: counter)
        XCTAssertEqual(loaded.reports.loaded.map(\.report), [key.description], "\(loaded.reports)")
        XCTAssertEqual(counter.downloads.count, 2)
    }

    // MARK: After the fetch

    func testAfterFetchDeleteRemovesTheReportAndItsSemaphore() throws {
        let (folder, names, key) = try report()
        let f = try PollFixture(dsrFolder: "reports", afterFetch: .delete)
        try place(names, from: folder, into: f)
        try f.write("", to: semaphore(key, form: 2))
        try f.write("someone else's file", to: "reports/notes.txt")
        let summary = f.pass()
        XCTAssertEqual(summary.reports.loaded.count, 1, "\(summary.reports)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.dropBox + "/reports"), ["notes.txt"])
        XCTAssertEqual(try DSRReportStore(database: f.database).fetches().map(\.afterFetch), [.deleted, .deleted])
        XCTAssertEqual(f.pass().reports, DSRPollSummary())
    }

    func testAfterFetchMoveUsesProcessed() throws {
        let (folder, names, key) = try report()
        let f = try PollFixture(dsrFolder: "reports", afterFetch: .move)
        try place(names, from: folder, into: f)
        try f.write("", to: semaphore(key, form: 3))
        let summary = f.pass()
        XCTAssertEqual(summary.reports.loaded.count, 1, "\(summary.reports)")
        let processed = try FileManager.default.contentsOfDirectory(atPath: f.dropBox + "/reports/processed").sorted()
        XCTAssertEqual(processed, (names + [(semaphore(key, form: 3) as NSString).lastPathComponent]).sorted())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.dropBox + "/reports").sorted(), ["file_available", "processed"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.dropBox + "/reports/file_available"), [])
        for name in names {
            XCTAssertEqual(try ReferenceTools.digest(f.dropBox + "/reports/processed/" + name).sha256,
                           try ReferenceTools.digest(folder + "/" + name).sha256)
        }
        XCTAssertEqual(try DSRReportStore(database: f.database).fetches().map(\.afterFetch), [.moved, .moved])
        XCTAssertEqual(f.pass().reports, DSRPollSummary(), "processed/ is not read again")
    }

    // MARK: Failures

    func testATruncatedGzipFailsWithItsCodeAndStaysArchived() throws {
        let (folder, names, key) = try report()
        let f = try PollFixture(dsrFolder: "reports", afterFetch: .delete)
        try place([names[0]], from: folder, into: f)
        try place([names[1]], from: folder, into: f) { $0.prefix($0.count - 200) }
        try f.write("", to: semaphore(key, form: 1))
        let counter = CountingTransport(root: f.dropBox)
        let summary = f.pass(transport: counter)
        XCTAssertTrue(summary.hasFailures)
        XCTAssertEqual(summary.reports.failed.map(\.code), ["DSR_GZIP_TRUNCATED"], "\(summary.reports)")
        XCTAssertTrue(summary.reports.failed.first?.detail?.contains(names[1]) == true, "the error names the file")
        XCTAssertEqual(summary.reports.loaded, [])

        let rows = try DSRReportStore(database: f.database).fetches()
        XCTAssertEqual(rows.map(\.state), [.failed, .failed])
        XCTAssertEqual(rows.map(\.errorCode), ["DSR_GZIP_TRUNCATED", "DSR_GZIP_TRUNCATED"])
        XCTAssertEqual(rows.map(\.afterFetch), [nil, nil])
        for row in rows { XCTAssertTrue(FileManager.default.fileExists(atPath: row.localPath), "kept in the archive") }
        XCTAssertTrue(try reports(f).allSatisfy { $0.state != "loaded" }, "nothing of it counts")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: f.dropBox + "/reports").count, 3, "left on the server")

        // Not fetched or reported again while the same bytes sit on the server.
        let again = f.pass(transport: counter)
        XCTAssertFalse(again.hasFailures, "\(again.reports)")
        XCTAssertEqual(again.reports.done, [key.description])
        XCTAssertEqual(counter.downloads.count, 2)
    }

    func testADownloadResumesFromTheLocalPartialFile() throws {
        let (folder, names, key) = try report()
        let f = try PollFixture(dsrFolder: "reports")
        try place(names, from: folder, into: f)
        try f.write("", to: semaphore(key, form: 1))
        let archived = f.archive + "/dsr/spotify/" + names[0]
        try FileManager.default.createDirectory(atPath: f.archive + "/dsr/spotify", withIntermediateDirectories: true)
        let original = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + names[0]))
        try original.prefix(1000).write(to: URL(fileURLWithPath: ArchiveDownloader.temporaryPath(for: archived)))
        let counter = CountingTransport(root: f.dropBox)
        let summary = f.pass(transport: counter)
        XCTAssertEqual(summary.reports.loaded.count, 1, "\(summary.reports)")
        XCTAssertEqual(counter.downloads, ["reports/\(names[0]) from 1000", "reports/\(names[1]) from 0"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: archived)), original)
    }

    func testAFileThatDoesNotReachItsListedSizeIsNotArchived() throws {
        let (folder, names, key) = try report()
        let f = try PollFixture(dsrFolder: "reports")
        try place(names, from: folder, into: f)
        try f.write("", to: semaphore(key, form: 1))
        let short = ShortTransport(root: f.dropBox)
        let summary = f.pass(transport: short)
        XCTAssertEqual(summary.reports.errors.map(\.code), ["POLL_SIZE_MISMATCH"], "\(summary.reports)")
        XCTAssertTrue(summary.hasFailures)
        XCTAssertFalse(FileManager.default.fileExists(atPath: f.archive + "/dsr/spotify/" + names[0]))
        XCTAssertEqual(try DSRReportStore(database: f.database).fetches().count, 0)
        // The next pass resumes from what arrived and completes.
        let counter = CountingTransport(root: f.dropBox)
        XCTAssertEqual(f.pass(transport: counter).reports.loaded.count, 1)
        XCTAssertTrue(counter.downloads.first?.hasSuffix("from 0") == false, "\(counter.downloads)")
    }
}

/// Delivers every download 100 bytes short, as a connection dropped mid-transfer without an error would.
final class ShortTransport: DeliveryTransport, @unchecked Sendable {
    let inner: LocalFolderTransport
    init(root: String) { inner = LocalFolderTransport(root: root) }
    func connect() throws { try inner.connect() }
    func close() {}
    func makeDirectories(_ path: String) throws { try inner.makeDirectories(path) }
    func fileSize(_ path: String) throws -> UInt64? { try inner.fileSize(path) }
    func list(_ directory: String) throws -> [RemoteEntry] { try inner.list(directory) }
    func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws {}
    func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws {
        try inner.download(remotePath, to: localPath, resumeFrom: offset)
        let size = try FileManager.default.attributesOfItem(atPath: localPath)[.size] as? NSNumber
        truncate(localPath, off_t((size?.int64Value ?? 0) - 100))
    }
    func rename(_ source: String, to destination: String) throws { try inner.rename(source, to: destination) }
    func remove(_ path: String) throws { try inner.remove(path) }
}
