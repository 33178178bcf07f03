import DDEXModel
import DSR
import Foundation
import PostgresStore
import Store
import TestSupport
import XCTest

/// `DSRReportRepository`'s contract, rule by rule, on both engines: the same steps give the same answers.
final class PostgresDSRReportStoreTests: PostgresStoreTestCase {
    func testTheRepositoryContractHoldsOnBothEngines() throws {
        let sqlite = try makeSQLiteStore()
        let postgres = try makeDatabase()
        let expected = try contract(DSRReportStore(database: sqlite), loader: DSRReportLoader(writer: sqlite))
        let actual = try contract(PostgresDSRReportStore(database: postgres), loader: PostgresDSRReportLoader(database: postgres))
        XCTAssertEqual(actual.count, expected.count)
        for (index, (a, e)) in zip(actual, expected).enumerated() where a != e {
            XCTFail("step \(index): PostgreSQL answered \(a), SQLite \(e)")
        }
    }

    /// The report machine through the repository's one method, fetched files moving with their report, and the
    /// lookups; returns what each step answered (records, states, error codes).
    private func contract(_ store: any DSRReportRepository, loader: any DSRReportLoading) throws -> [String] {
        var transcript: [String] = []
        func note(_ value: Any) { transcript.append(String(describing: value)) }
        func code(_ body: () throws -> Any) { do { note(try body()) } catch { note((error as? any CodedError)?.code ?? "\(error)") } }

        let files = try report([Self.samples.appendingPathComponent(Self.orfium)])
        let key = files.key
        XCTAssertEqual(try store.state(of: key), .fetched)
        let file = NewDSRFetch(dsp: "d", remotePath: "reports/\(Self.orfium)", fileName: Self.orfium, size: 1, remoteModified: 12.5,
                               sha256: "ab", localPath: "/archive/one", reportKey: key)
        let fetched = try store.recordFetched(file, now: "t1")
        XCTAssertEqual(fetched.state, .fetched)
        note(fetched)
        var moved = file
        moved.localPath = files.files[0].path
        let again = try store.recordFetched(moved, now: "t2")
        XCTAssertEqual(again.id, fetched.id, "the same file (path, size, SHA-256) keeps its row")
        XCTAssertEqual(again.localPath, moved.localPath)
        note(again)
        note(try store.fetch(dsp: "d", remotePath: file.remotePath, size: 1) as Any)
        XCTAssertNil(try store.fetch(dsp: "d", remotePath: file.remotePath, size: 2))
        XCTAssertThrowsError(try store.apply(.publish, to: key, failure: nil, now: "t")) {
            XCTAssertEqual(($0 as? InvalidTransition)?.code, "STATE_INVALID_TRANSITION", "\($0)")
        }

        let result = try loader.load(files)
        note(result)
        XCTAssertEqual(try store.state(of: key), .loaded)
        XCTAssertEqual(try store.fetches().map(\.state), [.loaded], "the load published the fetched file with its report")
        XCTAssertEqual(try store.fetches().map(\.reportId), [result.reportId])
        let warned = try loader.load(report([Self.samples.appendingPathComponent(Self.youTube)]))
        note(warned)
        XCTAssertEqual(try store.warnings(reportId: warned.reportId), warned.warnings)
        note(try store.warnings(reportId: warned.reportId))
        note(try store.report(key: key) as Any)
        XCTAssertEqual(try store.report(id: result.reportId), try store.report(key: key))
        XCTAssertNil(try store.report(id: 999))
        try store.markAfterFetch([fetched.id], action: .moved, now: "t3")
        XCTAssertEqual(try store.fetches(dsp: "d").map(\.afterFetch), [.moved])

        XCTAssertEqual(try store.apply(.fail, to: key, failure: (code: "DSR_X", message: "other bytes"), now: "t4"), .loaded,
                       "files that fail do not change a loaded report")
        XCTAssertEqual(try store.apply(.supersede, to: key, failure: nil, now: "t5"), .superseded)
        XCTAssertEqual(try store.report(id: result.reportId)?.state, .superseded)
        code { try store.apply(.stage, to: key, failure: nil, now: "t6") }

        // Files whose content cannot load fail with their code; staging them again needs the loader.
        var other = key
        other.created = "20200704T000000"
        _ = try store.recordFetched(NewDSRFetch(dsp: "d", remotePath: "reports/other", fileName: "other", size: 1, remoteModified: nil,
                                                sha256: "cd", localPath: "/nowhere", reportKey: other), now: "t7")
        XCTAssertEqual(try store.apply(.fail, to: other, failure: (code: "DSR_FOOT_MISMATCH", message: "bad"), now: "t8"), .failed)
        XCTAssertEqual(try store.state(of: other), .failed)
        XCTAssertEqual(try store.fetches(dsp: "d").last?.errorCode, "DSR_FOOT_MISMATCH")
        code { try store.apply(.unstage, to: other, failure: nil, now: "t9") }
        code { try store.apply(.stage, to: other, failure: nil, now: "t9") }
        XCTAssertEqual(try store.fetches(dsp: "nobody"), [])
        note(try store.fetches())
        note(try store.reports())
        return transcript
    }
}
