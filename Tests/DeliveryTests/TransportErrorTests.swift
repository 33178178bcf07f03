@testable import Delivery
import SFTP
import XCTest

/// The one classification of transport errors: every kind is retryable or permanent, DSP-wide or not, and every
/// SFTP error lands on a kind.
final class TransportErrorTests: XCTestCase {
    func testEveryKindIsClassifiedOnce() {
        let retryable: Set<TransportError.Kind> = [.connection, .timeout, .noSpace, .sizeMismatch, .serverFailure]
        let blocking: Set<TransportError.Kind> = [.authentication, .hostKeyMismatch, .configuration, .protocolError]
        for kind in TransportError.Kind.allCases {
            XCTAssertEqual(kind.isRetryable, retryable.contains(kind), "\(kind)")
            XCTAssertEqual(kind.blocksDSP, blocking.contains(kind), "\(kind)")
            // Nothing both heals by itself and needs a person.
            XCTAssertFalse(kind.isRetryable && kind.blocksDSP, "\(kind)")
        }
    }

    func testSFTPErrorsMapToKinds() {
        let expected: [SFTPError.Kind: TransportError.Kind] = [
            .connectFailed: .connection, .connectionLost: .connection, .notConnected: .connection, .subsystemFailed: .connection,
            .protocolError: .connection, .conflict: .remoteConflict, .sizeMismatch: .sizeMismatch,
            .timeout: .timeout, .handshakeFailed: .protocolError, .unsupported: .protocolError,
            .hostKeyUnknown: .hostKeyMismatch, .hostKeyMismatch: .hostKeyMismatch, .hostKeyRevoked: .hostKeyMismatch,
            .authFailed: .authentication, .knownHostsUnreadable: .configuration, .keyUnreadable: .configuration,
            .invalidArgument: .invalidPath, .permissionDenied: .permissionDenied, .noSuchFile: .notFound,
            .fileExists: .fileExists, .notADirectory: .remoteConflict, .diskFull: .noSpace, .writeFailed: .noSpace,
            .failure: .serverFailure, .localIO: .localIO,
        ]
        for kind in SFTPError.Kind.allCases {
            let error = TransportError(SFTPError(kind, operation: "test", message: "m"))
            XCTAssertEqual(error.kind, expected[kind], "\(kind)")
            XCTAssertEqual(error.code, kind.rawValue, "the SFTP code is kept")
        }
    }

    func testHostKeyFingerprintsTravelWithTheError() {
        let sftp = SFTPError(.hostKeyMismatch, operation: "verify host key", message: "changed",
                             hostKey: .init(expected: ["SHA256:old"], offered: "SHA256:new"))
        let error = TransportError(sftp)
        XCTAssertEqual(error.hostKey, .init(expected: ["SHA256:old"], offered: "SHA256:new"))
        XCTAssertFalse(error.isRetryable)
    }

    func testLocalFolderErrorsAreTyped() {
        XCTAssertEqual(LocalFolderTransport.error(ENOSPC, "upload", "/x").kind, .noSpace)
        XCTAssertEqual(LocalFolderTransport.error(EACCES, "upload", "/x").kind, .permissionDenied)
        XCTAssertEqual(LocalFolderTransport.error(ENOENT, "upload", "/x").kind, .notFound)
        XCTAssertEqual(LocalFolderTransport.error(EEXIST, "rename", "/x").kind, .fileExists)
        XCTAssertEqual(LocalFolderTransport.error(EIO, "upload", "/x").kind, .serverFailure)
    }
}
