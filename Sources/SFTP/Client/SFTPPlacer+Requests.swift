/// The requests the stages send; each returns the id of the request whose reply the next stage waits for.
extension SFTPPlacer {
    func send(_ type: UInt8, _ path: String) throws(SFTPError) -> UInt32 {
        try client.sendPath(sftp, type, path)
    }

    func sendFsync(_ handle: [UInt8]) throws(SFTPError) -> UInt32 {
        let name = "fsync@openssh.com"
        return try sftp.send(SFTPMessage.extended, payload: 8 + name.utf8.count + handle.count) {
            $0.string(name)
            $0.string(handle)
        }
    }

    func sendPair(_ type: UInt8, _ first: String, _ second: String) throws(SFTPError) -> UInt32 {
        try sftp.send(type, payload: 8 + first.utf8.count + second.utf8.count) {
            $0.string(first)
            $0.string(second)
        }
    }

    func open(_ path: String, _ flags: SFTPMessage.OpenFlags) throws(SFTPError) -> UInt32 {
        try client.sendOpen(sftp, path, flags)
    }

    func info(_ id: UInt32, _ path: String) throws(SFTPError) -> SFTPFileInfo? {
        try SFTPClient.attributes(try sftp.reply(id), operation: "stat", path: path)
    }
}

extension SFTPPlacer.Job {
    /// Reported, or never started because the caller asked to stop.
    func isSettled(keepGoing: Bool) -> Bool {
        switch stage {
        case .reported: true
        case .waiting: !keepGoing
        default: false
        }
    }

    /// Whether this file's data has all been queued (or needs none).
    var hasStreamed: Bool {
        switch stage {
        case .waiting, .inspecting, .removingStale, .opening, .ready, .streaming: false
        default: true
        }
    }
}
