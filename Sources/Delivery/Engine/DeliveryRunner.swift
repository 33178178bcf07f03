import DDEXConfig
import DDEXModel
import Foundation
import Logging
import Store

/// Carries one delivery through the choreography over one transport connection:
/// resources, then release XMLs, each to a temporary name in its target folder and renamed into place;
/// then every file's remote size is checked against the local size; then the completion file
/// (`BatchComplete_<BatchId>.xml`) last. Every step is persisted, so a restart resumes where it stopped:
/// placed files are skipped, a partial temporary file is continued from its remote size, and a completion
/// file already in place is never written twice.
///
/// Not thread-safe: one runner per worker, like its transport.
public final class DeliveryRunner {
    public let store: DeliveryStore
    public let transport: any DeliveryTransport
    public let profile: DSPProfile
    public var logger: Logger
    private let now: @Sendable () -> Date
    private var knownDirectories: Set<String> = []
    /// Set when the last delivery stopped on an error that blocks the whole DSP (host key, credentials).
    public private(set) var blockedBy: TransportError?

    public init(store: DeliveryStore, transport: any DeliveryTransport, profile: DSPProfile, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() })
    {
        self.store = store
        self.transport = transport
        self.profile = profile
        self.logger = logger
        self.now = now
    }

    /// The temporary name a file is uploaded under: hidden, beside its final name, and the same on every
    /// attempt so that an interrupted upload can be resumed.
    public static func temporaryPath(for remotePath: String) -> String {
        let (folder, name) = split(remotePath)
        return (folder.isEmpty ? "" : folder + "/") + "." + name + ".ddexd-part"
    }

    /// Claims the delivery (queued or retry-wait → uploading) and runs it. Returns nil when another worker
    /// claimed it first.
    @discardableResult
    public func claimAndRun(_ id: Int64) throws -> DeliveryRecord? {
        let claimed: DeliveryRecord
        do {
            claimed = try store.transition(id, .startUpload, now: timestamp(),
                                           changes: DeliveryChanges(nextAttemptAt: .some(nil)))
        } catch is InvalidTransition {
            return nil
        }
        return try run(claimed)
    }

    /// Runs a delivery in state `uploading` (or `uploaded`) to `completed`, or to retry-wait / failed.
    public func run(_ record: DeliveryRecord) throws -> DeliveryRecord {
        var record = record
        blockedBy = nil
        var log = logger
        log[metadataKey: "dsp"] = "\(record.dsp)"
        log[metadataKey: "delivery"] = "\(record.id)"
        log[metadataKey: "batch"] = "\(record.batchId)"
        do {
            try transport.connect()
            let files = try store.files(of: record.id)
            if record.state == .uploading {
                for file in files where file.role != .completion && !file.placed {
                    try place(file, log: log)
                    try store.markPlaced(delivery: record.id, seq: file.seq)
                }
                // Only when every file is on the server with its full size may the batch be completed.
                for file in files where file.role != .completion {
                    let remote = try transport.fileSize(file.remotePath)
                    guard remote == file.size else {
                        throw TransportError(.sizeMismatch, code: "DELIVERY_SIZE_MISMATCH", path: file.remotePath,
                                             message: "\(remote.map(String.init) ?? "missing") bytes on the server, \(file.size) locally")
                    }
                }
                record = try store.transition(record.id, .filesVerified, now: timestamp())
                log.info("all files on the server and verified", metadata: ["files": "\(files.count)"])
            }
            if let completion = files.first(where: { $0.role == .completion }), !completion.placed {
                try place(completion, log: log)
                try store.markPlaced(delivery: record.id, seq: completion.seq)
            }
            record = try store.transition(record.id, .completionWritten, now: timestamp(),
                                          changes: DeliveryChanges(lastError: .some(nil)))
            log.notice("delivery completed", metadata: ["remote": "\(record.remoteFolder)"])
            return record
        } catch let error as InvalidTransition {
            throw error
        } catch {
            transport.close()
            return try fail(record, error, log: log)
        }
    }

    private func fail(_ record: DeliveryRecord, _ error: any Error, log: Logger) throws -> DeliveryRecord {
        let coded = error as? any CodedError
        let code = coded?.code ?? "DELIVERY_FAILED"
        let message = coded?.description ?? "\(error)"
        let retryable = (error as? any RetryableError)?.isRetryable ?? false
        let current = try store.delivery(record.id) ?? record
        if let transportError = error as? TransportError, transportError.kind.blocksDSP {
            // Not this delivery's fault: it waits, at the longest delay, while the DSP is blocked.
            blockedBy = transportError
            let next = now().timeIntervalSince1970 + profile.retry.maxDelaySeconds
            log.debug("the DSP is blocked; the delivery waits", metadata: ["code": "\(code)"])
            return try store.transition(record.id, .retryableFailure, now: timestamp(),
                                        changes: DeliveryChanges(nextAttemptAt: .some(next), lastError: .some((code: code, message: message))))
        }
        if retryable, let delay = profile.retry.delay(afterFailedAttempts: max(1, current.attempts)) {
            let next = now().timeIntervalSince1970 + delay
            log.warning("delivery failed, will retry", metadata: ["code": "\(code)", "error": "\(message)", "retry_in_s": "\(Int(delay))"])
            return try store.transition(record.id, .retryableFailure, now: timestamp(),
                                        changes: DeliveryChanges(nextAttemptAt: .some(next), lastError: .some((code: code, message: message))))
        }
        log.error("delivery failed", metadata: ["code": "\(code)", "error": "\(message)", "retryable": "\(retryable)", "attempts": "\(current.attempts)"])
        let finalMessage = retryable ? "\(message) (retry budget of \(profile.retry.maxAttempts) attempts spent)" : message
        return try store.transition(record.id, .permanentFailure, now: timestamp(),
                                    changes: DeliveryChanges(nextAttemptAt: .some(nil), lastError: .some((code: code, message: finalMessage))))
    }

    /// Puts one file on the server under its final name: temporary name, resume, size check, rename.
    private func place(_ file: DeliveryFile, log: Logger) throws {
        let (folder, _) = Self.split(file.remotePath)
        if !folder.isEmpty, !knownDirectories.contains(folder) {
            try transport.makeDirectories(folder)
            knownDirectories.insert(folder)
        }
        if let existing = try transport.fileSize(file.remotePath) {
            guard existing == file.size else {
                throw TransportError(.remoteConflict, code: "DELIVERY_REMOTE_CONFLICT", path: file.remotePath,
                                     message: "already exists on the server with \(existing) bytes, not \(file.size); ddexd never overwrites, remove it or requeue under a new batch")
            }
            log.debug("already in place", metadata: ["file": "\(file.remotePath)"])
            return
        }
        let localSize = try Self.localSize(file.localPath)
        guard localSize == file.size else {
            throw TransportError(.localIO, code: "DELIVERY_LOCAL_CHANGED", path: file.localPath,
                                 message: "\(localSize) bytes, the bundle recorded \(file.size): the bundle was modified")
        }
        let temporary = Self.temporaryPath(for: file.remotePath)
        var offset = try transport.fileSize(temporary) ?? 0
        if offset > file.size {
            try transport.remove(temporary)
            offset = 0
        }
        if offset < file.size || (file.size == 0 && offset == 0) {
            if offset > 0 { log.info("resuming upload", metadata: ["file": "\(file.remotePath)", "offset": "\(offset)"]) }
            try transport.upload(file.localPath, to: temporary, resumeFrom: offset)
        }
        let uploaded = try transport.fileSize(temporary)
        guard uploaded == file.size else {
            throw TransportError(.sizeMismatch, code: "DELIVERY_SIZE_MISMATCH", path: temporary,
                                 message: "\(uploaded.map(String.init) ?? "missing") bytes after upload, expected \(file.size)")
        }
        do {
            try transport.rename(temporary, to: file.remotePath)
        } catch let error as TransportError where error.kind == .fileExists {
            // A previous attempt renamed it just before being interrupted: keep the one in place if it is whole.
            guard try transport.fileSize(file.remotePath) == file.size else { throw error }
            try? transport.remove(temporary)
        }
        log.debug("placed", metadata: ["file": "\(file.remotePath)", "bytes": "\(file.size)"])
    }

    private func timestamp() -> String { Timestamp.format(now()) }

    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    static func localSize(_ path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TransportError(.localIO, code: "DELIVERY_LOCAL_MISSING", path: path, message: String(cString: strerror(errno)))
        }
        return UInt64(info.st_size)
    }
}

