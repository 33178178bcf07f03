import DDEXModel
import Foundation
@testable import Intake
import TestSupport
import XCTest

final class PackagePathResolverTests: XCTestCase {
    var dir: TemporaryDirectory!

    /// XCTest keeps every test case object until the run ends, so the folder goes here, not in deinit.
    override func tearDown() {
        dir = nil
        super.tearDown()
    }
    var resolver: PackagePathResolver!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory(prefix: "paths")
        try dir.write("x", to: "pkg/resources/a.flac")
        try dir.write("secret", to: "outside.txt")
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("pkg/folder.flac"), withIntermediateDirectories: true)
        let pkg = dir.url.appendingPathComponent("pkg")
        try FileManager.default.createSymbolicLink(atPath: pkg.path + "/inside-link.flac", withDestinationPath: "resources/a.flac")
        try FileManager.default.createSymbolicLink(atPath: pkg.path + "/res-link", withDestinationPath: "resources")
        try FileManager.default.createSymbolicLink(atPath: pkg.path + "/escape.flac", withDestinationPath: "../outside.txt")
        try FileManager.default.createSymbolicLink(atPath: pkg.path + "/escape-dir", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: pkg.path + "/abs.flac", withDestinationPath: dir.url.appendingPathComponent("outside.txt").path)
        try FileManager.default.createSymbolicLink(atPath: pkg.path + "/dangling.flac", withDestinationPath: "nothing")
        resolver = try XCTUnwrap(PackagePathResolver(root: pkg))
    }

    func code(_ path: String) -> ProblemCode? {
        if case .problem(let p) = resolver.resolve(path, location: path) { return p.code }
        return nil
    }

    func testAcceptedPaths() throws {
        for path in ["resources/a.flac", "./resources//a.flac", "inside-link.flac", "res-link/a.flac"] {
            guard case .ok(let r) = resolver.resolve(path, location: path) else { return XCTFail(path) }
            XCTAssertEqual(r.url.path, resolver.root + "/resources/a.flac", path)
        }
        guard case .ok(let r) = resolver.resolve("./resources//a.flac", location: "") else { return XCTFail() }
        XCTAssertEqual(r.normalized, "resources/a.flac")
    }

    func testRefusedPaths() {
        XCTAssertEqual(code("/etc/passwd"), .pathAbsolute)
        XCTAssertEqual(code("C:/x.flac"), .pathAbsolute)
        XCTAssertEqual(code("../outside.txt"), .pathTraversal)
        XCTAssertEqual(code("resources/../../outside.txt"), .pathTraversal)
        XCTAssertEqual(code("resources\\a.flac"), .pathInvalid)
        XCTAssertEqual(code(""), .pathInvalid)
        XCTAssertEqual(code("escape.flac"), .pathSymlinkEscape)
        XCTAssertEqual(code("abs.flac"), .pathSymlinkEscape)
        XCTAssertEqual(code("escape-dir/outside.txt"), .pathSymlinkEscape)
        XCTAssertEqual(code("dangling.flac"), .resourceMissing)
        XCTAssertEqual(code("resources/b.flac"), .resourceMissing)
        XCTAssertEqual(code("nope/b.flac"), .resourceMissing)
        XCTAssertEqual(code("resources/a.flac/x"), .resourceMissing)
        XCTAssertEqual(code("folder.flac"), .pathNotRegularFile)
    }

    func testUnreadableFile() throws {
        let path = resolver.root + "/resources/a.flac"
        chmod(path, 0)
        defer { chmod(path, 0o644) }
        // root reads anything, so the rule can only be seen when the tests run as another user.
        if geteuid() == 0 {
            XCTAssertNil(code("resources/a.flac"))
        } else {
            XCTAssertEqual(code("resources/a.flac"), .resourceUnreadable)
        }
    }
}
