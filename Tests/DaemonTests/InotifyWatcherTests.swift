import Daemon
import Foundation
import TestSupport
import XCTest

final class InotifyWatcherTests: XCTestCase {
    func testReportsTheFolderWhereAFileAppears() async throws {
        let dir = try TemporaryDirectory(prefix: "inotify")
        let inbound = dir.path + "/inbound"
        try FileManager.default.createDirectory(atPath: inbound + "/pkg", withIntermediateDirectories: true)
        let watcher = try InotifyWatcher()
        try watcher.watch(inbound)
        try watcher.watch(inbound + "/pkg")
        watcher.start()
        try dir.write("", to: "inbound/pkg/READY")
        var iterator = watcher.changes.makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first, [inbound + "/pkg"])
        try FileManager.default.createDirectory(atPath: inbound + "/other", withIntermediateDirectories: true)
        // READY's creation and its close may come in two reads on a busy machine: the package folder again first.
        var second = await iterator.next()
        while second == [inbound + "/pkg"] { second = await iterator.next() }
        XCTAssertEqual(second, [inbound])
        watcher.stop()
        var buffered = 0
        while await iterator.next() != nil { buffered += 1 }
        XCTAssertLessThan(buffered, 64, "stop finishes the stream (after what was buffered)")
    }

    func testRemovedFolderIsForgotten() async throws {
        let dir = try TemporaryDirectory(prefix: "inotify")
        let pkg = dir.path + "/pkg"
        try FileManager.default.createDirectory(atPath: pkg, withIntermediateDirectories: true)
        let watcher = try InotifyWatcher()
        try watcher.watch(pkg)
        watcher.start()
        try FileManager.default.removeItem(atPath: pkg)
        var iterator = watcher.changes.makeAsyncIterator()
        _ = await iterator.next()
        for _ in 0..<50 where !watcher.watchedPaths.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(watcher.watchedPaths, [])
        watcher.stop()
    }
}
