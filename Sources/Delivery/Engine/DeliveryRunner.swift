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
    public static func temporaryPath(for remotePath: String) -> String { FilePlacement.temporaryPath(for: remotePath) }

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
                try makeFolders(for: files)
                // Resources, then the release XMLs: a message never names a file that is not there yet.
                try place(files.filter { $0.role == .resource && !$0.placed }, of: record.id, log: log)
                try place(files.filter { $0.role == .message && !$0.placed }, of: record.id, log: log)
                // Only when every file is on the server with its full size may the batch be completed.
                let uploaded = files.filter { $0.role != .completion }
                for (file, remote) in zip(uploaded, try transport.fileSizes(uploaded.map(\.remotePath))) where remote != file.size {
                    throw TransportError(.sizeMismatch, code: "DELIVERY_SIZE_MISMATCH", path: file.remotePath,
                                         message: "\(remote.map(String.init) ?? "missing") bytes on the server, \(file.size) locally")
                }
                record = try store.transition(record.id, .filesVerified, now: timestamp())
                log.info("all files on the server and verified", metadata: ["files": "\(files.count)"])
            }
            if let completion = files.first(where: { $0.role == .completion }), !completion.placed {
                try place([completion], of: record.id, log: log)
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
        var finalMessage = retryable ? "\(message) (retry budget of \(profile.retry.maxAttempts) attempts spent)" : message
        let left = removeTemporaryFiles(of: record.id)
        if !left.isEmpty { finalMessage += "; left on the server: " + left.joined(separator: ", ") }
        return try store.transition(record.id, .permanentFailure, now: timestamp(),
                                    changes: DeliveryChanges(nextAttemptAt: .some(nil), lastError: .some((code: code, message: finalMessage))))
    }

    /// After the last attempt, no partial upload stays on the server: the temporary files of the files not placed
    /// are removed. Returns the ones that could not be (or not be checked), to name them in the status.
    private func removeTemporaryFiles(of id: Int64) -> [String] {
        guard let files = try? store.files(of: id) else { return [] }
        let temporaries = files.filter { !$0.placed }.map { FilePlacement.temporaryPath(for: $0.remotePath) }
        guard !temporaries.isEmpty else { return [] }
        defer { transport.close() }
        guard let sizes = try? transport.fileSizes(temporaries) else {
            return temporaries.map { "\($0) (maybe: the server could not be asked)" }
        }
        return zip(temporaries, sizes).compactMap { path, size in
            guard size != nil else { return nil }
            return (try? transport.remove(path)) == nil ? path : nil
        }
    }

    /// Creates the delivery's folders not made yet on this connection, all in one go.
    private func makeFolders(for files: [DeliveryFile]) throws {
        var folders: [String] = []
        for file in files {
            let folder = Self.split(file.remotePath).folder
            if !folder.isEmpty, !knownDirectories.contains(folder), !folders.contains(folder) { folders.append(folder) }
        }
        guard !folders.isEmpty else { return }
        try transport.makeDirectories(folders)
        knownDirectories.formUnion(folders)
    }

    /// Puts files on the server under their final names (`DeliveryTransport.place`), recording each as it lands.
    private func place(_ files: [DeliveryFile], of id: Int64, log: Logger) throws {
        guard !files.isEmpty else { return }
        let placements = files.map { FilePlacement(localPath: $0.localPath, remotePath: $0.remotePath, size: $0.size) }
        try transport.place(placements) { index in
            try store.markPlaced(delivery: id, seq: files[index].seq)
            log.debug("placed", metadata: ["file": "\(files[index].remotePath)", "bytes": "\(files[index].size)"])
        }
    }

    private func timestamp() -> String { Timestamp.format(now()) }

    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}

