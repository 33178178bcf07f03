/// A server's answer to one SFTP request.
enum SFTPReply {
    /// `SSH_FXP_STATUS`: the code and the server's own words.
    case status(code: UInt32, message: String)
    case handle([UInt8])
    case data([UInt8])
    case names([SFTPDirectoryEntry])
    case attributes(SFTPFileInfo)
    /// `SSH_FXP_EXTENDED_REPLY`: the extension's reply data.
    case extended([UInt8])

    var isOK: Bool {
        if case let .status(code, _) = self { return code == SFTPMessage.ok }
        return false
    }

    /// The failure this reply means for `operation` on `path`, or nil for success (`SSH_FX_OK`).
    func failure(operation: String, path: String?, duringWrite: Bool = false) -> SFTPError? {
        guard case let .status(code, message) = self else { return nil }
        guard code != SFTPMessage.ok else { return nil }
        let status = SFTPStatus(UInt(code))
        return SFTPError(status.kind(duringWrite: duringWrite), operation: operation, path: path,
                         message: SFTPClient.explain(status, serverText: message, duringWrite: duringWrite),
                         serverStatus: status.rawValue)
    }

    /// The error for a reply of the wrong type (a server bug): the session cannot be trusted after it.
    func unexpected(operation: String, path: String?, expected: String) -> SFTPError {
        if let failure = failure(operation: operation, path: path) { return failure }
        return SFTPError(.protocolError, operation: operation, path: path,
                         message: "the server answered with \(self.name) where \(expected) was expected")
    }

    private var name: String {
        switch self {
        case .status: "a status"
        case .handle: "a handle"
        case .data: "data"
        case .names: "names"
        case .attributes: "attributes"
        case .extended: "an extended reply"
        }
    }
}
