import SFTP
import TestSupport
import XCTest

/// Helpers shared by the tests that talk to a real sshd.
class SFTPTestCase: XCTestCase {
    func configuration(_ server: any DropBoxServer, privateKeyPath: String? = nil, knownHostsPath: String? = nil,
                       passphrase: Secret? = nil) -> SFTPClientConfiguration
    {
        SFTPClientConfiguration(host: server.host, port: server.port, user: server.user,
                                privateKeyPath: privateKeyPath ?? server.clientKeyPath, passphrase: passphrase,
                                knownHostsPath: knownHostsPath ?? server.knownHostsPath, connectTimeoutSeconds: 5,
                                ioTimeoutSeconds: 10)
    }

    func connect(_ server: any DropBoxServer) throws -> SFTPClient {
        try SFTPClient(configuration: configuration(server))
    }

    /// Runs `body`, which must throw an `SFTPError`, and returns it.
    func expectSFTPError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> SFTPError? {
        do {
            try body()
            XCTFail("expected an SFTPError, but nothing was thrown", file: file, line: line)
        } catch let error as SFTPError {
            return error
        } catch {
            XCTFail("expected an SFTPError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func temporaryDirectory() throws -> TemporaryDirectory {
        try TemporaryDirectory(prefix: "ddexd-sftp-test")
    }
}
