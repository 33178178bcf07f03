/// The pipeline behind `SFTPClient.place`: every file moves through its stages as its replies arrive, and the loop
/// only waits on the socket when no file can move.
final class SFTPPlacer {
    let client: SFTPClient
    let sftp: SFTPChannel
    let jobs: [Job]
    /// Starts as the server's; a server that announces hardlink but refuses it falls back for the session.
    private(set) var method: SFTPServerProfile.Placement
    /// Files inspected and opened ahead of the one streaming.
    private let lookahead = 2

    final class Job {
        let spec: SFTPPlacement
        var stage = Stage.waiting
        var resumedFrom: UInt64 = 0
        var restarted = false
        /// Whether a temporary file is (or may be) on the server, to clean up after a conflict.
        var temporaryExists = false
        var local: LocalFile?

        init(_ spec: SFTPPlacement) { self.spec = spec }
    }

    enum Open { case fresh, resume(UInt64), append(UInt64), restart(removal: UInt32) }

    enum Stage {
        case waiting
        case inspecting(final: UInt32, temporary: UInt32)
        case removingStale(UInt32)
        case opening(UInt32, Open)
        case ready([UInt8])
        case streaming(SFTPFileWriter)
        case closing(close: UInt32, stat: UInt32, SFTPFileWriter?, fsync: UInt32?)
        case checkingTarget(UInt32)
        case linking(UInt32)
        case targetAfterRefusal(UInt32, SFTPError)
        case removingTemporary(UInt32, SFTPPlacement.Result)
        case done(SFTPPlacement.Result)
        case reported
        case failed(SFTPError)
    }

    private let progress: ((UInt64) -> Void)?

    init(client: SFTPClient, sftp: SFTPChannel, files: [SFTPPlacement], method: SFTPServerProfile.Placement,
         progress: ((UInt64) -> Void)?) {
        self.client = client
        self.sftp = sftp
        self.jobs = files.map(Job.init)
        self.method = method
        self.progress = progress
    }

    func run(_ placed: (Int, SFTPPlacement.Result) -> Bool) throws(SFTPError) {
        defer { abandon() }
        var keepGoing = true
        while true {
            var moved = false
            let cursor = jobs.firstIndex { !$0.hasStreamed } ?? jobs.count
            for index in jobs.indices {
                let job = jobs[index]
                do {
                    moved = try step(job, index: index, cursor: cursor, keepGoing: keepGoing) || moved
                } catch where !error.kind.breaksConnection {
                    // This file failed; the files before it still land. No further file starts.
                    job.stage = .failed(error)
                    keepGoing = false
                }
                if case let .done(result) = job.stage {
                    job.stage = .reported
                    keepGoing = placed(index, result) && keepGoing
                    moved = true
                }
            }
            // A file's failure is thrown once every file before it has landed.
            if let first = jobs.first(where: { !$0.isSettled(keepGoing: keepGoing) }), case let .failed(error) = first.stage {
                throw error
            }
            if jobs.allSatisfy({ $0.isSettled(keepGoing: keepGoing) }) { return }
            if !moved { try sftp.pump(wait: true) } else { try sftp.pump(wait: false) }
        }
    }

    // MARK: - Stages

    /// Starts `job` when its turn comes near, streams it when it is the next in line, and moves it on.
    private func step(_ job: Job, index: Int, cursor: Int, keepGoing: Bool) throws(SFTPError) -> Bool {
        var moved = false
        if case .waiting = job.stage {
            guard keepGoing, index <= cursor + lookahead else { return false }
            try inspect(job)
            moved = true
        }
        if case let .ready(handle) = job.stage, index == cursor {
            let local = try LocalFile(openForReading: job.spec.localPath, operation: "upload")
            job.local = local
            job.stage = .streaming(SFTPFileWriter(handle: handle, file: local, remotePath: job.spec.temporaryPath,
                                                  from: job.resumedFrom, to: job.spec.size,
                                                  requestSize: client.server.writeRequestSize))
        }
        return try advance(job) || moved
    }

    private func inspect(_ job: Job) throws(SFTPError) {
        job.stage = .inspecting(final: try send(SFTPMessage.stat, job.spec.finalPath),
                                temporary: try send(SFTPMessage.stat, job.spec.temporaryPath))
    }

    /// Moves `job` on if the replies it waits for are in; returns whether it moved.
    ///
    /// The whole transition table in one switch: each stage that waits on replies hands them to the handler
    /// named after what it waited for, which sets the next stage.
    private func advance(_ job: Job) throws(SFTPError) -> Bool {
        switch job.stage {
        case .waiting, .ready, .done, .reported, .failed:
            return false
        case let .inspecting(final, temporary):
            return try inspected(job, final: final, temporary: temporary)
        case let .removingStale(id):
            return try removedStale(job, id)
        case let .opening(id, attempt):
            return try opened(job, id, attempt: attempt)
        case let .streaming(writer):
            return try streamed(job, writer)
        case let .closing(close, stat, writer, fsync):
            return try closed(job, close: close, stat: stat, writer: writer, fsync: fsync)
        case let .checkingTarget(id):
            return try checkedTarget(job, id)
        case let .linking(id):
            return try linked(job, id)
        case let .targetAfterRefusal(id, error):
            return try checkedTargetAfterRefusal(job, id, refusal: error)
        case let .removingTemporary(id, result):
            return try removedTemporary(job, id, result: result)
        }
    }

    /// `.inspecting`: the final name taken is compared; a temporary file larger than this one is stale and goes, one
    /// of its size is linked, a smaller one is resumed; without either the upload starts fresh.
    private func inspected(_ job: Job, final: UInt32, temporary: UInt32) throws(SFTPError) -> Bool {
        let spec = job.spec
        guard sftp.hasReply(final), sftp.hasReply(temporary) else { return false }
        let existing = try info(final, spec.finalPath)
        let partial = try info(temporary, spec.temporaryPath)
        job.temporaryExists = partial != nil
        if let existing {
            try compare(job, existing: existing)
        } else if let partial, (partial.size ?? 0) > spec.size {
            job.stage = .removingStale(try send(SFTPMessage.remove, spec.temporaryPath))
        } else if let partial, partial.size == spec.size {
            job.resumedFrom = spec.size
            try link(job)
        } else if let partial {
            job.resumedFrom = partial.size ?? 0
            job.stage = .opening(try open(spec.temporaryPath, [.write, .create]), .resume(job.resumedFrom))
        } else {
            job.stage = .opening(try open(spec.temporaryPath, [.write, .create, .truncate]), .fresh)
        }
        return true
    }

    /// `.removingStale`: a stale temporary file is gone (or was already); the upload starts fresh.
    private func removedStale(_ job: Job, _ id: UInt32) throws(SFTPError) -> Bool {
        let spec = job.spec
        guard let reply = sftp.takeReply(id) else { return false }
        if let error = reply.failure(operation: "remove", path: spec.temporaryPath), error.kind != .noSuchFile {
            throw error
        }
        job.stage = .opening(try open(spec.temporaryPath, [.write, .create, .truncate]), .fresh)
        return true
    }

    /// `.opening`: a handle makes the file ready to stream; a refusal tries the next way to open it (`reopen`).
    private func opened(_ job: Job, _ id: UInt32, attempt: Open) throws(SFTPError) -> Bool {
        let spec = job.spec
        guard let reply = sftp.takeReply(id) else { return false }
        if case let .handle(handle) = reply {
            if case let .restart(removal) = attempt, let error = sftp.takeReply(removal)?
                .failure(operation: "remove", path: spec.temporaryPath), error.kind != .noSuchFile { throw error }
            job.temporaryExists = true
            job.stage = .ready(handle)
            return true
        }
        try reopen(job, attempt: attempt, refusal: reply)
        return true
    }

    /// `.streaming`: fills the window; once every write is queued, the fsync, close and stat follow.
    private func streamed(_ job: Job, _ writer: SFTPFileWriter) throws(SFTPError) -> Bool {
        let spec = job.spec
        if let error = writer.stream.error { throw error }
        report(writer)
        try writer.fill(sftp, window: client.server.window)
        guard writer.isQueued else { return false }
        // Flush to disk where the server offers it, close and check the size right behind the last write: the
        // server answers them in order, so this costs no round trip of its own.
        let fsync = client.server.offers("fsync@openssh.com") ? try sendFsync(writer.handle) : nil
        job.stage = .closing(close: try sftp.send(SFTPMessage.close, payload: 4 + writer.handle.count) {
            $0.string(writer.handle)
        }, stat: try send(SFTPMessage.stat, spec.temporaryPath), writer, fsync: fsync)
        return true
    }

    /// `.closing`: every write acknowledged, fsynced (where offered), closed, and of the expected size on the
    /// server; then it is put under its final name.
    private func closed(_ job: Job, close: UInt32, stat: UInt32, writer: SFTPFileWriter?,
                        fsync: UInt32?) throws(SFTPError) -> Bool
    {
        let spec = job.spec
        if let error = writer?.stream.error { throw error }
        if let writer { report(writer) }
        guard sftp.hasReply(close), sftp.hasReply(stat), writer?.isAcknowledged ?? true,
              fsync.map(sftp.hasReply) ?? true else { return false }
        if let fsync, let error = sftp.takeReply(fsync)?.failure(operation: "fsync", path: spec.temporaryPath,
                                                                 duringWrite: true), error.kind != .unsupported {
            throw error
        }
        job.local?.close()
        job.local = nil
        if let error = sftp.takeReply(close)!.failure(operation: "upload (close)", path: spec.temporaryPath,
                                                       duringWrite: true) { throw error }
        let size = try info(stat, spec.temporaryPath)?.size
        guard size == spec.size else {
            throw SFTPError(.sizeMismatch, operation: "upload", path: spec.temporaryPath,
                            message: "\(size.map(String.init) ?? "no file") bytes on the server after the upload, "
                                + "\(spec.size) expected")
        }
        try link(job)
        return true
    }

    /// `.checkingTarget` (checked rename): a taken final name is compared, a free one gets the rename.
    private func checkedTarget(_ job: Job, _ id: UInt32) throws(SFTPError) -> Bool {
        let spec = job.spec
        guard sftp.hasReply(id) else { return false }
        if let existing = try info(id, spec.finalPath) {
            try compare(job, existing: existing)
        } else {
            job.stage = .linking(try sendPair(SFTPMessage.rename, spec.temporaryPath, spec.finalPath))
        }
        return true
    }

    /// `.linking`: placed (after a hard link the temporary name still goes); a hard link the server announced but
    /// cannot make switches the session to checked renames; any other refusal looks at the final name.
    private func linked(_ job: Job, _ id: UInt32) throws(SFTPError) -> Bool {
        let spec = job.spec
        guard let reply = sftp.takeReply(id) else { return false }
        guard let error = reply.failure(operation: method == .hardlink ? "link" : "rename",
                                        path: "\(spec.temporaryPath) → \(spec.finalPath)")
        else {
            let result = SFTPPlacement.Result.placed(resumedFrom: job.resumedFrom, restarted: job.restarted)
            if method == .hardlink {
                job.stage = .removingTemporary(try send(SFTPMessage.remove, spec.temporaryPath), result)
            } else {
                job.stage = .done(result)
            }
            return true
        }
        if method == .hardlink, error.kind == .unsupported {
            // Announced but not available here (a file system without links): check, then rename, from now on.
            method = .checkedRename
            job.stage = .checkingTarget(try send(SFTPMessage.stat, spec.finalPath))
        } else {
            job.stage = .targetAfterRefusal(try send(SFTPMessage.stat, spec.finalPath), error)
        }
        return true
    }

    /// `.targetAfterRefusal`: the refusal stands unless a file is now under the final name (then compared).
    private func checkedTargetAfterRefusal(_ job: Job, _ id: UInt32, refusal: SFTPError) throws(SFTPError) -> Bool {
        guard sftp.hasReply(id) else { return false }
        guard let existing = try info(id, job.spec.finalPath) else { throw refusal }
        try compare(job, existing: existing)
        return true
    }

    /// `.removingTemporary`: the file is in place; a temporary name that cannot be removed is an error that says so.
    private func removedTemporary(_ job: Job, _ id: UInt32, result: SFTPPlacement.Result) throws(SFTPError) -> Bool {
        let spec = job.spec
        guard let reply = sftp.takeReply(id) else { return false }
        if let error = reply.failure(operation: "remove", path: spec.temporaryPath), error.kind != .noSuchFile {
            var error = error
            error.message = "the file is in place under \(spec.finalPath), but its temporary file could not be "
                + "removed: \(error.message)"
            throw error
        }
        job.stage = .done(result)
        return true
    }

    /// Reports the streaming file's acknowledged bytes about every `writeChunkSize`.
    private func report(_ writer: SFTPFileWriter) {
        guard let progress, writer.acknowledgedUpTo >= writer.reported + UInt64(client.configuration.writeChunkSize)
        else { return }
        writer.reported = writer.acknowledgedUpTo
        progress(writer.reported)
    }

    /// The server refused to open the temporary file; try the next way to resume it, or give up.
    private func reopen(_ job: Job, attempt: Open, refusal: SFTPReply) throws(SFTPError) {
        let path = job.spec.temporaryPath
        guard let error = refusal.failure(operation: "upload", path: path, duringWrite: true) else {
            throw refusal.unexpected(operation: "upload", path: path, expected: "a handle")
        }
        let refused = [.permissionDenied, .failure, .writeFailed, .unsupported].contains(error.kind)
        switch attempt {
        case let .resume(offset) where refused:
            job.stage = .opening(try open(path, [.write, .append]), .append(offset))
        case .append where refused:
            // Neither reopening nor appending is allowed: remove the partial file and send this file again.
            job.resumedFrom = 0
            job.restarted = true
            let removal = try send(SFTPMessage.remove, path)
            job.stage = .opening(try open(path, [.write, .create, .truncate]), .restart(removal: removal))
        case let .restart(removal):
            if let removed = sftp.takeReply(removal)?.failure(operation: "remove", path: path),
               removed.kind != .noSuchFile
            {
                var removed = removed
                removed.message = "the server refuses to reopen, append to or remove the partial file \(path), so "
                    + "it cannot be resumed or sent again: \(removed.message)"
                throw removed
            }
            throw error
        default:
            throw error
        }
    }

    /// Puts the uploaded temporary file under its final name, as the server allows.
    private func link(_ job: Job) throws(SFTPError) {
        let spec = job.spec
        switch method {
        case .hardlink:
            let name = "hardlink@openssh.com"
            job.stage = .linking(try sftp.send(SFTPMessage.extended,
                                               payload: 12 + name.utf8.count + spec.temporaryPath.utf8.count
                                                   + spec.finalPath.utf8.count) {
                $0.string(name)
                $0.string(spec.temporaryPath)
                $0.string(spec.finalPath)
            })
        case .rename:
            job.stage = .linking(try sendPair(SFTPMessage.rename, spec.temporaryPath, spec.finalPath))
        case .checkedRename:
            job.stage = .checkingTarget(try send(SFTPMessage.stat, spec.finalPath))
        }
    }

    /// The final name is taken: the same bytes are success, anything else a conflict. Either way the temporary
    /// file goes.
    private func compare(_ job: Job, existing: SFTPFileInfo) throws(SFTPError) {
        let spec = job.spec
        var compared = true
        var same = existing.type == .regular && existing.size == spec.size
        if same {
            if let matches = try client.sameContent(spec.finalPath, as: spec.localPath) {
                same = matches
            } else {
                compared = false
            }
        }
        if same {
            job.stage = job.temporaryExists
                ? .removingTemporary(try send(SFTPMessage.remove, spec.temporaryPath), .alreadyInPlace(compared: compared))
                : .done(.alreadyInPlace(compared: compared))
            return
        }
        if job.temporaryExists { sftp.forget(try send(SFTPMessage.remove, spec.temporaryPath)) }
        let what = existing.type != .regular ? "something that is not a regular file"
            : "\(existing.size.map(String.init) ?? "?") bytes" + (existing.size == spec.size ? " of other content" : "")
        throw SFTPError(.conflict, operation: "place", path: spec.finalPath,
                        message: "another file is already there (\(what); this one has \(spec.size) bytes); ddexd "
                            + "never replaces a file: remove it, or deliver under a new batch")
    }

    /// Closes the handles of files left open by an error (their replies are not awaited).
    private func abandon() {
        for job in jobs {
            job.local?.close()
            job.local = nil
            switch job.stage {
            case let .ready(handle): client.closeQuietly(sftp, handle)
            case let .streaming(writer): client.closeQuietly(sftp, writer.handle)
            default: break
            }
        }
    }
}
