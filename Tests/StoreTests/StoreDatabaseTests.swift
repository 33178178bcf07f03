import Foundation
import GRDB
import Store
import TestSupport
import XCTest

/// The store's one writer and its readers: WAL, durable commits, readers that never wait for the writer, errors
/// matchable by kind, rows that do not decode refused with a code.
final class StoreDatabaseTests: XCTestCase {
    var directory: TemporaryDirectory!
    var store: StoreDatabase!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "store-database")
        store = try StoreDatabase(path: directory.path + "/ddexd.sqlite")
    }

    override func tearDown() {
        store = nil
        directory = nil
    }

    func testWriterIsWALDurableWithForeignKeys() throws {
        XCTAssertEqual(try store.journalMode(), "wal")
        try store.write { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), 1)
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA synchronous"), 2, "FULL")
        }
        try store.write(durable: false) { db in
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA synchronous"), 1, "a staged unit commits without an fsync")
        }
        try store.write { db in XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA synchronous"), 2, "and the next is durable again") }
    }

    /// A reader sees the last committed state at once while the writer holds an open transaction.
    func testReadersNeverWaitForTheWriter() throws {
        let writing = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let store = self.store!
        Thread {
            try? store.write { db in
                try db.execute(sql: "INSERT INTO message_ids (sender, message_id, created_at) VALUES ('s', 'm', 't')")
                writing.signal()
                release.wait()
            }
            done.signal()
        }.start()
        writing.wait()
        let clock = ContinuousClock.now
        let count = try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM message_ids") }
        XCTAssertEqual(count, 0, "the uncommitted row is not seen")
        XCTAssertLessThan(ContinuousClock.now - clock, .seconds(1), "the reader did not wait for the writer")
        release.signal()
        done.wait()
        XCTAssertEqual(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM message_ids") }, 1)
    }

    func testErrorsAreMatchableByKind() throws {
        let ids = MessageIdStore(database: store)
        XCTAssertTrue(try ids.claim(sender: "s", messageId: "m", now: "t"))
        XCTAssertFalse(try ids.claim(sender: "s", messageId: "m", now: "t"))
        do {
            try store.write { try $0.execute(sql: "INSERT INTO message_ids (sender, message_id, created_at) VALUES ('s', 'm', 't')") }
            XCTFail("a duplicate key was stored")
        } catch let error as StoreError where error.kind == .constraint {
            XCTAssertEqual(error.code, "STORE_CONSTRAINT")
            XCTAssertTrue(error.description.contains("UNIQUE"), error.description)
        }
        struct Mine: Error {}
        XCTAssertThrowsError(try store.write { _ in throw Mine() }) { XCTAssertTrue($0 is Mine, "a caller's own error comes out unchanged") }
    }

    /// A state no machine has (written past the triggers, as a hand edit would) is STORE_DECODE, never a default.
    func testAnUnknownStateIsADecodeError() throws {
        try store.write { db in
            try db.execute(sql: "DROP TRIGGER packages_state_insert")
            try db.execute(sql: """
                INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at)
                VALUES ('p', 'a', 's', 'w', 'shipped', 't', 't')
                """)
        }
        let packages = PackageStore(database: store)
        XCTAssertThrowsError(try packages.package("p")) {
            XCTAssertEqual(($0 as? StoreError)?.kind, .decode, "\($0)")
            XCTAssertTrue("\($0)".contains("packages.state holds 'shipped'"), "\($0)")
        }
        XCTAssertThrowsError(try packages.counts()) { XCTAssertEqual(($0 as? StoreError)?.kind, .decode) }
    }
}
