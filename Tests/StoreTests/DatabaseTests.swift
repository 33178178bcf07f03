import Foundation
import Store
import TestSupport
import XCTest

final class DatabaseTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory(prefix: "store-db") }
    override func tearDown() { directory = nil }

    func open() throws -> Database { try Database(path: directory.url.appendingPathComponent("test.sqlite").path) }

    func testOpenSetsWALForeignKeysAndDurability() throws {
        let db = try open()
        XCTAssertEqual(try db.journalMode(), "wal")
        XCTAssertEqual(try db.scalarInt("PRAGMA foreign_keys"), 1)
        XCTAssertEqual(try db.scalarInt("PRAGMA synchronous"), 2, "FULL")
        XCTAssertEqual(try db.scalarInt("PRAGMA busy_timeout"), 5000)
        let normal = try Database(path: directory.url.appendingPathComponent("n.sqlite").path,
                                  options: .init(synchronous: .normal, busyTimeoutMilliseconds: 100))
        XCTAssertEqual(try normal.scalarInt("PRAGMA synchronous"), 1)
        XCTAssertEqual(try normal.scalarInt("PRAGMA busy_timeout"), 100)
    }

    func testBindStepAndColumnsOfEveryType() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
        let insert = try db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
        try insert.bind(Int64.max, at: 1)
        try insert.bind(2.5, at: 2)
        try insert.bind("Mañana 𝄞", at: 3)
        try insert.bind(blob: [0, 1, 255], at: 4)
        try insert.bind(nil as String?, at: 5)
        try insert.run()
        // Reuse the statement: rebind only what changes; empty text stays text, not NULL.
        try insert.bind(-7, at: 1)
        try insert.bind("", at: 3)
        try insert.bind(blob: [], at: 4)
        try insert.run()
        XCTAssertEqual(db.changes, 1)

        let select = try db.prepare("SELECT i, r, s, b, n, typeof(s), typeof(b) FROM t ORDER BY rowid")
        XCTAssertEqual(select.columnCount, 7)
        XCTAssertEqual(select.columnName(at: 2), "s")
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.int64(at: 0), Int64.max)
        XCTAssertEqual(select.double(at: 1), 2.5)
        XCTAssertEqual(select.string(at: 2), "Mañana 𝄞")
        XCTAssertEqual(select.blob(at: 3), [0, 1, 255])
        XCTAssertTrue(select.isNull(at: 4))
        XCTAssertNil(select.string(at: 4))
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.int64(at: 0), -7)
        XCTAssertEqual(select.string(at: 2), "")
        XCTAssertEqual(select.string(at: 5), "text")
        XCTAssertEqual(select.value(at: 6), .text("blob"))
        XCTAssertFalse(try select.step())
        select.reset()
        XCTAssertTrue(try select.step(), "reset runs the query again")
    }

    func testNamedParametersAndBindingByBuffer() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (isrc TEXT, n INTEGER)")
        let insert = try db.prepare("INSERT INTO t VALUES (:isrc, :n)")
        XCTAssertEqual(try insert.index(of: ":n"), 2)
        try insert.bind(.text("GBAAA2000001"), named: ":isrc")
        try insert.bind(.integer(3), named: ":n")
        try insert.run()
        let bytes = Array("USAAA2000002".utf8)
        try bytes.withUnsafeBytes { try insert.bindText($0, at: 1) }
        try insert.run()
        XCTAssertEqual(try db.scalarText("SELECT group_concat(isrc, ',') FROM t"), "GBAAA2000001,USAAA2000002")
        assertStoreError(.bind) { try insert.index(of: ":missing") }
        assertStoreError(.bind) { try insert.bind([.null]) }
    }

    func testErrorsCarrySQLiteMessageAndSQL() throws {
        let db = try open()
        do {
            _ = try db.prepare("SELEC 1")
            XCTFail("bad SQL prepared")
        } catch {
            XCTAssertEqual(error.code, "STORE_PREPARE")
            XCTAssertTrue(error.message.contains("syntax error"), error.message)
            XCTAssertEqual(error.sql, "SELEC 1")
        }
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
        try db.run("INSERT INTO t (v) VALUES (?)", .text("a"))
        assertStoreError(.constraint) { try db.run("INSERT INTO t (v) VALUES (?)", .text("a")) }
        assertStoreError(.prepare) { try db.prepare("SELECT 1; SELECT 2") }
        db.close()
        assertStoreError(.misuse) { try db.prepare("SELECT 1") }
    }

    func testTransactionCommitsAndRollsBackOnThrow() throws {
        let db = try open()
        try db.execute("CREATE TABLE t (v INTEGER)")
        try db.transaction { try db.run("INSERT INTO t VALUES (1)") }
        struct Boom: Error {}
        XCTAssertThrowsError(try db.transaction {
            try db.run("INSERT INTO t VALUES (2)")
            XCTAssertTrue(db.isInTransaction)
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM t"), 1)

        // A nested transaction is a savepoint: its rollback keeps the outer work.
        try db.transaction {
            try db.run("INSERT INTO t VALUES (3)")
            XCTAssertThrowsError(try db.transaction {
                try db.run("INSERT INTO t VALUES (4)")
                throw Boom()
            })
            try db.run("INSERT INTO t VALUES (5)")
        }
        XCTAssertEqual(try db.scalarText("SELECT group_concat(v, ',') FROM t"), "1,3,5")
    }

    func testWritesAreVisibleToASecondConnectionAfterCommitOnly() throws {
        let path = directory.url.appendingPathComponent("shared.sqlite").path
        let writer = try Database(path: path)
        let reader = try Database(path: path)
        try writer.execute("CREATE TABLE t (v INTEGER)")
        try writer.transaction {
            try writer.run("INSERT INTO t VALUES (1)")
            // WAL: the reader sees the last committed state while the writer works.
            XCTAssertEqual(try reader.scalarInt("SELECT count(*) FROM t"), 0)
        }
        XCTAssertEqual(try reader.scalarInt("SELECT count(*) FROM t"), 1)
    }
}

func assertStoreError<T>(_ kind: StoreError.Kind, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(kind.rawValue), got no error", file: file, line: line)
    } catch let error as StoreError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
    } catch {
        XCTFail("expected \(kind.rawValue), got \(error)", file: file, line: line)
    }
}
