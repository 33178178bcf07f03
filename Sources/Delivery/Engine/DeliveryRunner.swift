import DDEXConfig
import DDEXModel
import DDEXRuntime
import Foundation
import Logging
import Store

/// Carries one delivery through the choreography over the DSP's sessions: the resources, spread over up to
/// `max_sessions` sessions at once (each session pipelining its share, `DeliveryTransport.place`), then the
/// release XMLs, each to a temporary name in its target folder and placed without ever overwriting; then every
/// file's remote size is checked; then the completion file (`BatchComplete_<BatchId>.xml`) last. Every step is persisted before the next, so a restart resumes where
/// it stopped: placed files are skipped, a partial temporary file continues from its remote size, and a
/// completion file in place is never written twice.
///
/// Blocking work (SQLite, libssh2) runs on the blocking pool, never on the caller's task.
public struct DeliveryRunner: Sendable {
    /// How one attempt ended: the stored delivery afterwards, and the error that blocks the DSP, if one did.
    public struct Outcome: Sendable {
        public var record: DeliveryRecord
        public var blockedBy: TransportError?
    }

    public let store: any DeliveryRepository
    public let sessions: SessionPool
    public let pool: BlockingPool
    public let logger: Logger
    /// Asked before the completion file goes up, the one step a DSP acts on: throws (`LEASE_LOST`) when the
    /// delivery is no longer this instance's to complete.
    public let fence: @Sendable (_ delivery: Int64) throws -> Void
    private let now: @Sendable () -> Date
    private var profile: DSPProfile { sessions.profile }

    /// A runner over the DSP's `sessions`, persisting each step in `store`; `now` dates retries and stamps rows;
    /// `fence` is asked before each completion file.
    public init(store: any DeliveryRepository, sessions: SessionPool, pool: BlockingPool, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }, fence: @escaping @Sendable (Int64) throws -> Void = { _ in })
    {
        self.store = store
        self.sessions = sessions
        self.pool = pool
        self.logger = logger
        self.now = now
        self.fence = fence
    }

    /// The temporary name a file is uploaded under: hidden, beside its final name, and the same on every
    /// attempt so that an interrupted upload can be resumed.
    public static func temporaryPath(for remotePath: String) -> String { FilePlacement.temporaryPath(for: remotePath) }

    /// Claims the delivery (queued or retry-wait → uploading) and runs it. Returns nil when another worker
    /// claimed it first.
    public func claimAndRun(_ id: Int64) async throws -> Outcome? {
        let (store, stamp) = (store, timestamp())
        let claimed: DeliveryRecord
        do {
            claimed = try await pool.run {
                try store.transition(id, .startUpload, now: stamp, changes: DeliveryChanges(nextAttemptAt: .some(nil)))
            }
        } catch is InvalidTransition {
            return nil
        }
        return try await run(claimed)
    }

    /// Runs a delivery in state `uploading` (or `uploaded`) to `completed`, or to retry-wait / failed. A
    /// cancelled run (shutdown), or one whose lease another instance took over (`LeaseLost`), leaves the delivery
    /// where it is: whoever holds it resumes it.
    public func run(_ record: DeliveryRecord) async throws -> Outcome {
        var log = logger
        log[metadataKey: "dsp"] = "\(record.dsp)"
        log[metadataKey: "delivery"] = "\(record.id)"
        log[metadataKey: "batch"] = "\(record.batchId)"
        do {
            return Outcome(record: try await carry(record, log: log), blockedBy: nil)
        } catch let error as InvalidTransition {
            throw error
        } catch let error as LeaseLost {
            log.warning("delivery taken over by another instance; this one stops", metadata: ["code": "\(error.code)"])
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return try await fail(record, error, log: log)
        }
    }

    private func carry(_ record: DeliveryRecord, log: Logger) async throws -> DeliveryRecord {
        let (store, id) = (store, record.id)
        var record = record
        let files = try await pool.run { try store.files(of: id) }
        if record.state == .uploading {
            try await makeFolders(for: files)
            try await sessions.connect(upTo: files.filter { !$0.placed }.count, on: pool)
            // Resources first, then the release XMLs: a message never names a file that is not there yet.
            try await place(files.filter { $0.role == .resource && !$0.placed }, of: id, log: log)
            try await place(files.filter { $0.role == .message && !$0.placed }, of: id, log: log)
            // Only when every file is on the server with its full size may the batch be completed.
            let uploaded = files.filter { $0.role != .completion }
            try await sessions.withSession(on: pool) { transport in
                for (file, remote) in zip(uploaded, try transport.fileSizes(uploaded.map(\.remotePath))) where remote != file.size {
                    throw TransportError(.sizeMismatch, code: "DELIVERY_SIZE_MISMATCH", path: file.remotePath,
                                         message: "\(remote.map(String.init) ?? "missing") bytes on the server, \(file.size) locally")
                }
            }
            let stamp = timestamp()
            record = try await pool.run { try store.transition(id, .filesVerified, now: stamp) }
            log.info("all files on the server and verified", metadata: ["files": "\(files.count)"])
        }
        if let completion = files.first(where: { $0.role == .completion }), !completion.placed {
            let fence = fence
            try await pool.run { try fence(id) }
            try await place([completion], of: id, log: log)
        }
        let stamp = timestamp()
        record = try await pool.run {
            try store.transition(id, .completionWritten, now: stamp, changes: DeliveryChanges(lastError: .some(nil)))
        }
        log.notice("delivery completed", metadata: ["remote": "\(record.remoteFolder)"])
        return record
    }

    private func makeFolders(for files: [DeliveryFile]) async throws {
        let folders = Set(files.compactMap { file -> String? in
            guard let slash = file.remotePath.lastIndex(of: "/") else { return nil }
            return String(file.remotePath[..<slash])
        }).sorted()
        guard !folders.isEmpty else { return }
        try await sessions.withSession(on: pool) { transport in try transport.makeDirectories(folders) }
    }

    /// Places `files` over up to `max_sessions` sessions at once: dealt out largest first to the share with the
    /// fewest bytes, each share pipelined on its session, each file recorded as it lands. After the first error
    /// no further share starts; those under way finish their files, then it throws.
    private func place(_ files: [DeliveryFile], of id: Int64, log: Logger) async throws {
        guard !files.isEmpty else { return }
        let (store, sessions, pool) = (store, sessions, pool)
        var shares = Array(repeating: [DeliveryFile](), count: min(sessions.capacity, files.count))
        var bytes = Array(repeating: UInt64(0), count: shares.count)
        for file in files.sorted(by: { $0.size > $1.size }) {
            let least = bytes.indices.min { bytes[$0] < bytes[$1] } ?? 0
            shares[least].append(file)
            bytes[least] += file.size
        }
        let firstError = Locked<(any Error)?>(nil)
        await withTaskGroup(of: Void.self) { group in
            for share in shares {
                group.addTask {
                    do {
                        try await sessions.withSession(on: pool) { transport in
                            // Checked once a session is free: a share waiting for one does not start after an error,
                            // which is recorded before the failed share's session is given back.
                            guard firstError.current == nil else { return }
                            do {
                                let placements = share.map { FilePlacement(localPath: $0.localPath, remotePath: $0.remotePath, size: $0.size) }
                                try transport.place(placements) { index in
                                    try store.markPlaced(delivery: id, seq: share[index].seq)
                                    log.debug("placed", metadata: ["file": "\(share[index].remotePath)", "bytes": "\(share[index].size)"])
                                }
                            } catch {
                                firstError.withLock { if $0 == nil { $0 = error } }
                            }
                        }
                    } catch {
                        firstError.withLock { if $0 == nil { $0 = error } }
                    }
                }
            }
        }
        if let error = firstError.current { throw error }
    }

    /// After the last attempt, no partial upload stays on the server: the temporary files of the files not placed
    /// are removed. Returns the ones that could not be (or not be checked), to name them in the status.
    private func removeTemporaryFiles(of id: Int64) async -> [String] {
        let store = store
        guard let files = try? await pool.run({ try store.files(of: id) }) else { return [] }
        let temporaries = files.filter { !$0.placed }.map { FilePlacement.temporaryPath(for: $0.remotePath) }
        guard !temporaries.isEmpty else { return [] }
        let left = try? await sessions.withSession(on: pool) { transport -> [String] in
            let sizes = try transport.fileSizes(temporaries)
            return zip(temporaries, sizes).compactMap { path, size in
                guard size != nil else { return nil }
                return (try? transport.remove(path)) == nil ? path : nil
            }
        }
        return left ?? temporaries.map { "\($0) (maybe: the server could not be asked)" }
    }

    private func fail(_ record: DeliveryRecord, _ error: any Error, log: Logger) async throws -> Outcome {
        let (store, id, profile) = (store, record.id, profile)
        let coded = error as? any CodedError
        let code = coded?.code ?? "DELIVERY_FAILED"
        let message = coded?.description ?? "\(error)"
        let transportError = error as? TransportError
        let retryable = (error as? any RetryableError)?.isRetryable ?? false
        let current = try await pool.run { try store.delivery(id) } ?? record
        let event: DeliveryState.Event
        let next: Double?
        var finalMessage = message
        if let transportError, transportError.kind.blocksDSP {
            // Not this delivery's fault: it waits, at the longest delay, while the DSP is blocked.
            event = .retryableFailure
            next = now().timeIntervalSince1970 + profile.retry.maxDelaySeconds
            log.debug("the DSP is blocked; the delivery waits", metadata: ["code": "\(code)"])
        } else if retryable, let delay = profile.retry.delay(afterFailedAttempts: max(1, current.attempts)) {
            event = .retryableFailure
            next = now().timeIntervalSince1970 + delay
            log.warning("delivery failed, will retry", metadata: ["code": "\(code)", "error": "\(message)", "retry_in_s": "\(Int(delay))"])
        } else {
            event = .permanentFailure
            next = nil
            log.error("delivery failed", metadata: ["code": "\(code)", "error": "\(message)", "retryable": "\(retryable)", "attempts": "\(current.attempts)"])
            if retryable { finalMessage = "\(message) (retry budget of \(profile.retry.maxAttempts) attempts spent)" }
            let left = await removeTemporaryFiles(of: id)
            if !left.isEmpty { finalMessage += "; left on the server: " + left.joined(separator: ", ") }
        }
        let stamp = timestamp()
        let changes = DeliveryChanges(nextAttemptAt: .some(next), lastError: .some((code: code, message: finalMessage)))
        let stored = try await pool.run { try store.transition(id, event, now: stamp, changes: changes) }
        return Outcome(record: stored, blockedBy: transportError?.kind.blocksDSP == true ? transportError : nil)
    }

    private func timestamp() -> String { Timestamp.format(now()) }
}
