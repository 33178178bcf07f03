import DDEXModel
import XCTest

final class StateMachineTests: XCTestCase {
    /// Every (state, event) pair, checked against the complete table of allowed transitions.
    func testDeliveryTransitionsOneByOne() {
        typealias S = DeliveryState
        let allowed: [S: [S.Event: S]] = [
            .queued: [.startUpload: .uploading, .retryableFailure: .retryWait, .permanentFailure: .failed],
            .uploading: [.filesVerified: .uploaded, .retryableFailure: .retryWait, .permanentFailure: .failed],
            .uploaded: [.completionWritten: .completed, .retryableFailure: .retryWait, .permanentFailure: .failed],
            .completed: [.ackAccepted: .acknowledged, .ackRejected: .rejectedByDSP],
            .acknowledged: [.ackAccepted: .acknowledged, .ackRejected: .rejectedByDSP],
            .rejectedByDSP: [.requeue: .queued, .ackAccepted: .acknowledged, .ackRejected: .rejectedByDSP],
            .retryWait: [.startUpload: .uploading, .permanentFailure: .failed, .requeue: .queued],
            .failed: [.requeue: .queued],
        ]
        for state in S.allCases {
            for event in S.Event.allCases {
                XCTAssertEqual(state.next(after: event), allowed[state]?[event], "\(state) on \(event)")
            }
        }
        XCTAssertThrowsError(try S.acknowledged.applying(.startUpload)) {
            XCTAssertEqual(($0 as? InvalidTransition)?.code, "STATE_INVALID_TRANSITION")
        }
        XCTAssertEqual(Set(S.allCases.filter(\.isTerminal)), [.acknowledged, .rejectedByDSP, .failed])
        XCTAssertEqual(S(rawValue: "rejected-by-dsp"), .rejectedByDSP)
    }

    func testPackageTransitionsOneByOne() {
        typealias S = PackageState
        let allowed: [S: [S.Event: S]] = [
            .received: [.validationPassed: .valid, .validationFailed: .rejected],
            .valid: [.bundlesBuilt: .built],
            .built: [.deliveriesFinished: .done],
        ]
        for state in S.allCases {
            for event in S.Event.allCases {
                XCTAssertEqual(state.next(after: event), allowed[state]?[event], "\(state) on \(event)")
            }
        }
        XCTAssertEqual(try S.received.applying(.validationPassed).applying(.bundlesBuilt).applying(.deliveriesFinished), .done)
    }

    func testDSRReportTransitionsOneByOne() {
        typealias S = DSRReportState
        let allowed: [S: [S.Event: S]] = [
            .fetched: [.stage: .downloaded, .fail: .failed],
            .downloaded: [.stage: .downloaded, .unstage: .fetched, .publish: .loaded],
            .loaded: [.publish: .loaded, .fail: .loaded, .supersede: .superseded],
            .superseded: [.publish: .superseded, .fail: .superseded],
            .failed: [.stage: .downloaded, .fail: .failed],
        ]
        for state in S.allCases {
            for event in S.Event.allCases {
                XCTAssertEqual(state.next(after: event), allowed[state]?[event], "\(state) on \(event)")
            }
        }
        XCTAssertThrowsError(try S.fetched.applying(.publish)) {
            XCTAssertEqual(($0 as? InvalidTransition)?.code, "STATE_INVALID_TRANSITION")
        }
        XCTAssertEqual(Set(S.allCases.filter(\.isTerminal)), [.superseded])
        XCTAssertEqual(S.allCases.compactMap(\.reportRowState), ["downloaded", "loaded", "superseded"])
        XCTAssertEqual(S.allCases.map(\.fetchRowState), ["fetched", "fetched", "loaded", "loaded", "failed"])
    }
}
