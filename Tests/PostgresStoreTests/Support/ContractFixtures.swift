import DDEXModel
import Foundation
import Store
import XCTest

/// Times and rows the contract tests build their stores from.
enum ContractFixtures {
    /// The tests' "now": every row written at it has `updated_at` = `unix(now)` seconds.
    static let now = "2026-11-21T10:00:00.000Z"

    /// `now` moved by `seconds`, in the store's timestamp format.
    static func time(_ seconds: Double) -> String {
        Timestamp.format(Date(timeIntervalSince1970: unix(now) + seconds))
    }

    /// The Unix time a store timestamp names.
    static func unix(_ timestamp: String) -> Double {
        Timestamp.parse(timestamp)!.timeIntervalSince1970
    }

    /// A delivery of `package` to `dsp` with its three files (resource, release message, batch completion).
    static func newDelivery(package: String = "pkg-1", dsp: String = "spotify", release: String = "0094631432057",
                            batch: String = "20261121100000000") -> NewDelivery
    {
        NewDelivery(packageId: package, dsp: dsp, releaseId: release, kind: .newRelease, batchId: batch,
                    messageId: "M-\(package)-\(dsp)", bundlePath: "/spool/outbound/\(dsp)/\(batch)", remoteFolder: batch, files: [
                        DeliveryFile(seq: 0, role: .resource, localPath: "/b/r/01.flac", remotePath: "\(batch)/\(release)/resources/01.flac",
                                     size: 100),
                        DeliveryFile(seq: 1, role: .message, localPath: "/b/r.xml", remotePath: "\(batch)/\(release)/\(release).xml", size: 10),
                        DeliveryFile(seq: 2, role: .completion, localPath: "/b/bc.xml", remotePath: "\(batch)/BatchComplete_\(batch).xml",
                                     size: 5),
                    ])
    }
}

extension Repositories {
    /// Receives package `id` at `now`.
    @discardableResult
    func receive(_ id: String, now: String = ContractFixtures.now) throws -> PackageRecord {
        try packages.receive(id: id, account: "label", source: "inbound/label/\(id)", workPath: "work/\(id)", now: now)
    }

    /// A delivery of its own package, queued and moved through `events` at `now`.
    @discardableResult
    func delivery(_ package: String, dsp: String = "spotify", release: String = "0094631432057", batch: String? = nil,
                  through events: [DeliveryState.Event] = [], now: String = ContractFixtures.now) throws -> DeliveryRecord
    {
        if try packages.package(package) == nil { try receive(package, now: now) }
        var record = try deliveries.enqueue(ContractFixtures.newDelivery(package: package, dsp: dsp, release: release,
                                                                         batch: batch ?? "batch-\(package)-\(dsp)"), now: now)
        for event in events { record = try deliveries.transition(record.id, event, now: now) }
        return record
    }

    /// A delivery whose completion step is done (waiting for the DSP's acknowledgement).
    func completedDelivery(_ package: String, dsp: String = "spotify", release: String = "0094631432057",
                           now: String = ContractFixtures.now) throws -> DeliveryRecord
    {
        try delivery(package, dsp: dsp, release: release, through: [.startUpload, .filesVerified, .completionWritten], now: now)
    }
}

/// Asserts that `body` throws `StoreError` of `kind`.
func assertStoreError<T>(_ kind: StoreError.Kind, _ body: @autoclosure () throws -> T, file: StaticString = #filePath,
                         line: UInt = #line)
{
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual((error as? StoreError)?.kind, kind, "\(error)", file: file, line: line)
    }
}

/// Asserts that `body` throws `InvalidTransition`.
func assertInvalidTransition<T>(_ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertTrue(error is InvalidTransition, "\(error)", file: file, line: line)
    }
}

/// A contract test's own failure (a result of the wrong kind).
struct ContractFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
