import Foundation
import FuzzTargets
import TestSupport
import XCTest

/// Every committed fuzz input (seeds, and the reproducers of every crash the fuzzers found) goes through its
/// target's invariants in the ordinary test suite: a fixed bug stays fixed.
final class FuzzCorpusReplayTests: XCTestCase {
    private var corpusRoot: URL { RepositoryPaths.fixtures.appendingPathComponent("fuzz") }

    private func inputs(of target: FuzzTarget) throws -> [URL] {
        let folder = corpusRoot.appendingPathComponent(target.name)
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path }
    }

    func testEveryTargetHasSeeds() throws {
        XCTAssertGreaterThanOrEqual(FuzzTarget.all.count, 20)
        for target in FuzzTarget.all {
            XCTAssertFalse(try inputs(of: target).isEmpty, "Fixtures/fuzz/\(target.name) holds no seed")
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: corpusRoot.path).filter { !$0.hasSuffix(".dict") && !$0.hasSuffix(".supp") && $0 != "README.md" }
        XCTAssertEqual(Set(folders), Set(FuzzTarget.all.map(\.name)), "a corpus folder without a target, or the reverse")
    }

    func testEveryCommittedInputKeepsItsTargetsInvariants() throws {
        var replayed = 0
        for target in FuzzTarget.all {
            for input in try inputs(of: target) {
                let bytes = try [UInt8](Data(contentsOf: input))
                let start = ContinuousClock.now
                XCTAssertNoThrow(try target.body(bytes), "\(target.name): \(input.lastPathComponent)")
                // libFuzzer allows 1 s per input in a release build; this is a debug build.
                XCTAssertLessThan(ContinuousClock.now - start, .seconds(10), "\(target.name): \(input.lastPathComponent) is slow")
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, FuzzTarget.all.count)
    }
}
