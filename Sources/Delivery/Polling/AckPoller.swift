import DDEXConfig
import DDEXModel
import ERN
import Foundation
import Logging
import Store

/// Reads a DSP's acknowledgements and applies them to deliveries (CHOREOGRAPHY.md §5).
///
/// Where: `<delivery folder>/acknowledgements/` of the deliveries still awaiting an acknowledgement (and of
/// deliveries acknowledged within `recentWindow`, since a DSP may send a second one), plus the profile's
/// `ack_folder`. Polling grows with what is new, not with what was ever sent: a delivery's folder is listed on
/// every pass while a tenth of its age is under `poll_seconds`, then only once a tenth of its age has passed
/// since it was last listed (about daily once it is ten days old), and not at all after `ack_deadline_hours`
/// (it shows `ACK_OVERDUE`). What: files named `ACK_*.xml` not yet recorded by (path, size, mtime). Each is archived
/// under `archive/acks/<dsp>/` (temporary name, resume, size check, rename), hashed, read with
/// `AcknowledgementReader`, matched to deliveries, and recorded and applied in one transaction
/// (`AcknowledgementStore.record`), so it is applied once, even across a crash. Files that match nothing
/// are kept and tried again on every later pass; unreadable files are recorded as invalid. Nothing here
/// stops the pass except a transport that cannot list at all.
///
/// Not thread-safe: one poller per transport connection.
public final class AckPoller {
    public let deliveries: any DeliveryRepository
    public let acks: any AcknowledgementRepository
    public let transport: any DeliveryTransport
    public let profile: DSPProfile
    /// `<spool>/archive`; files go to `<archiveRoot>/acks/<dsp>/<remote folder>/`.
    public let archiveRoot: String
    public var logger: Logger
    /// Acknowledged or rejected deliveries whose folders are still listed, counted from their last acknowledgement.
    public var recentWindow: TimeInterval = 14 * 24 * 3600
    /// Unmatched files are tried again (and listed) on every pass for this long after they arrived; older
    /// ones stay recorded and archived but are no longer tried (most likely they were never ours).
    public var unmatchedRetryWindow: TimeInterval = 30 * 24 * 3600
    /// Larger files are refused unread (real acknowledgements are a few KiB).
    public var maxAckBytes: UInt64 = 16 * 1024 * 1024
    private let now: @Sendable () -> Date

    /// A poller for `profile` over `transport`, archiving under `<archiveRoot>/acks/<dsp>/`; `now` decides which
    /// deliveries are due to be listed and stamps the store's rows.
    public init(deliveries: any DeliveryRepository, acks: any AcknowledgementRepository, transport: any DeliveryTransport,
                profile: DSPProfile, archiveRoot: String, logger: Logger, now: @escaping @Sendable () -> Date = { Date() })
    {
        self.deliveries = deliveries
        self.acks = acks
        self.transport = transport
        self.profile = profile
        self.archiveRoot = archiveRoot
        self.logger = logger
        self.now = now
    }

    /// A poller over the SQLite store `database`.
    public convenience init(database: StoreDatabase, transport: any DeliveryTransport, profile: DSPProfile, archiveRoot: String,
                            logger: Logger, now: @escaping @Sendable () -> Date = { Date() })
    {
        self.init(deliveries: DeliveryStore(database: database), acks: AcknowledgementStore(database: database),
                  transport: transport, profile: profile, archiveRoot: archiveRoot, logger: logger, now: now)
    }

    /// The folder acknowledgements of `profile` are archived in.
    public var archiveFolder: String { archiveRoot + "/acks/" + profile.name }

    /// One pass: new files first, then files that matched nothing before.
    public func poll() -> AckPollSummary {
        var summary = AckPollSummary()
        var recordedNow = Set<Int64>()
        let folders: [AckFolder]
        do {
            folders = try ackFolders()
        } catch {
            summary.errors.append(PollIssue(path: "", error: error))
            return summary
        }
        var listed: [Int64] = []
        defer { try? deliveries.markAckChecked(listed, at: now().timeIntervalSince1970) }
        folderLoop: for ackFolder in folders {
            let folder = ackFolder.path
            let entries: [RemoteEntry]
            do {
                entries = try transport.list(folder)
                if let id = ackFolder.deliveryId { listed.append(id) }
            } catch let error as TransportError where error.kind == .notFound {
                if let id = ackFolder.deliveryId { listed.append(id) }
                continue // no acknowledgement yet
            } catch {
                summary.errors.append(PollIssue(path: folder, error: error))
                logger.warning("cannot list acknowledgements", metadata: ["folder": "\(folder)", "error": "\(error)"])
                // A broken connection fails every folder alike: stop here and try again next pass.
                if (error as? TransportError)?.kind.isRetryable == true { break folderLoop }
                continue
            }
            for entry in entries where !entry.isDirectory && AcknowledgementFileName(entry.name) != nil {
                let remotePath = Self.join(folder, entry.name)
                guard ArchiveDownloader.isSafeName(entry.name) else {
                    summary.errors.append(PollIssue(path: remotePath, code: PollError.Code.unsafeName.rawValue,
                                                    message: "the server lists a file name that cannot be archived safely"))
                    continue
                }
                do {
                    if try acks.isKnown(dsp: profile.name, remotePath: remotePath, size: entry.size, modified: entry.modified) { continue }
                    if let id = try process(entry, in: folder, summary: &summary) { recordedNow.insert(id) }
                } catch {
                    summary.errors.append(PollIssue(path: remotePath, error: error))
                    logger.warning("acknowledgement not processed; trying again next pass", metadata: ["file": "\(remotePath)", "error": "\(error)"])
                }
            }
        }
        retryUnmatched(except: recordedNow, summary: &summary)
        return summary
    }

    /// A folder to list, and the delivery it belongs to (nil for the profile's `ack_folder`).
    struct AckFolder: Equatable {
        var path: String
        var deliveryId: Int64?
    }

    /// Folders due to be listed in this pass, without duplicates, in a stable order.
    func ackFolders() throws -> [AckFolder] {
        let due = try deliveries.dueForAckListing(dsp: profile.name, now: now().timeIntervalSince1970,
                                                  pollSeconds: Double(profile.ackPollSeconds), deadline: Double(profile.ackDeadlineHours) * 3600, recentWindow: recentWindow)
        var folders = due.map { AckFolder(path: Self.join($0.remoteFolder, "acknowledgements"), deliveryId: $0.id) }
        if let extra = profile.ackFolder { folders.append(AckFolder(path: extra.trimmingCharacters(in: CharacterSet(charactersIn: "/")))) }
        var seen = Set<String>()
        return folders.filter { seen.insert($0.path).inserted }
    }

    /// True when `delivery` waited longer than the profile's `ack_deadline_hours` for an acknowledgement.
    public static func isOverdue(_ delivery: DeliveryRecord, profile: DSPProfile, now: Date = Date()) -> Bool {
        guard delivery.state == .completed, let since = Timestamp.parse(delivery.updatedAt) else { return false }
        return now.timeIntervalSince(since) >= Double(profile.ackDeadlineHours) * 3600
    }

    /// Downloads, reads, matches and records one new file; returns its `acks` id.
    private func process(_ entry: RemoteEntry, in folder: String, summary: inout AckPollSummary) throws -> Int64? {
        let remotePath = Self.join(folder, entry.name)
        var log = logger
        log[metadataKey: "file"] = "\(remotePath)"
        let timestamp = Timestamp.format(now())
        guard entry.size <= maxAckBytes else {
            let message = "\(entry.size) bytes; an acknowledgement is at most \(maxAckBytes) bytes, so it was not downloaded"
            let result = try acks.record(NewAckFile(dsp: profile.name, remotePath: remotePath, size: entry.size, remoteModified: entry.modified,
                                                    sha256: "", error: (PollError.Code.ackTooLarge.rawValue, message)),
                                         entries: [], now: timestamp)
            return note(result, remotePath: remotePath, acknowledgement: nil, summary: &summary, log: log)
        }
        let local = archiveFolder + "/" + [ArchiveDownloader.localRelative(folder), entry.name].filter { !$0.isEmpty }.joined(separator: "/")
        let fetched = try ArchiveDownloader(transport: transport).fetch(remotePath, size: entry.size, to: local)
        var file = NewAckFile(dsp: profile.name, remotePath: remotePath, size: entry.size, remoteModified: entry.modified,
                              sha256: fetched.sha256, archivedPath: fetched.path)
        let acknowledgement: Acknowledgement
        do {
            acknowledgement = try AcknowledgementReader.read(fileAt: fetched.path, name: remotePath, maxBytes: Int(maxAckBytes))
        } catch {
            file.error = (error.code, error.description)
            let result = try acks.record(file, entries: [], now: timestamp)
            return note(result, remotePath: remotePath, acknowledgement: nil, summary: &summary, log: log)
        }
        file.generation = acknowledgement.generation.rawValue
        file.createdAt = acknowledgement.createdAt
        let entries = try inputs(for: acknowledgement, fileName: entry.name)
        let result = try acks.record(file, entries: entries, now: timestamp)
        return note(result, remotePath: remotePath, acknowledgement: acknowledgement, summary: &summary, log: log)
    }

    /// Files recorded as unmatched by earlier passes: read again from the archive and matched anew.
    private func retryUnmatched(except recordedNow: Set<Int64>, summary: inout AckPollSummary) {
        let waiting: [AckFileRecord]
        do {
            let since = now().addingTimeInterval(-unmatchedRetryWindow)
            waiting = try acks.unmatched(dsp: profile.name).filter { record in
                guard !recordedNow.contains(record.id) else { return false }
                return Timestamp.parse(record.receivedAt).map { $0 >= since } ?? true
            }
        } catch {
            summary.errors.append(PollIssue(path: "", error: error))
            return
        }
        for record in waiting {
            do {
                guard let path = record.archivedPath else {
                    throw PollError(.archiveIO, "no archived copy recorded", retryable: false)
                }
                let acknowledgement = try AcknowledgementReader.read(fileAt: path, name: record.remotePath, maxBytes: Int(maxAckBytes))
                let name = record.remotePath.split(separator: "/").last.map(String.init) ?? record.remotePath
                let entries = try inputs(for: acknowledgement, fileName: name)
                let (updated, results) = try acks.retry(ackId: record.id, entries: entries, createdAt: acknowledgement.createdAt,
                                                        now: Timestamp.format(now()))
                let moved = results.filter { $0.outcome == .applied }.compactMap(\.deliveryId)
                let item = AckPollItem(remotePath: record.remotePath, archivedPath: path, deliveries: moved,
                                       detail: acknowledgement.summary, retried: true)
                if updated.outcome == .unmatched {
                    summary.unmatched.append(item)
                } else {
                    summary.applied.append(item)
                    logger.notice("acknowledgement applied on a later pass", metadata: ["file": "\(record.remotePath)", "deliveries": "\(moved)"])
                }
            } catch {
                summary.errors.append(PollIssue(path: record.remotePath, error: error))
            }
        }
    }

    private func note(_ result: AckRecordResult, remotePath: String, acknowledgement: Acknowledgement?,
                      summary: inout AckPollSummary, log: Logger) -> Int64?
    {
        switch result {
        case .known:
            return nil
        case .recorded(let record, let results):
            let moved = results.filter { $0.outcome == .applied }.compactMap(\.deliveryId)
            var item = AckPollItem(remotePath: remotePath, archivedPath: record.archivedPath, deliveries: moved,
                                   detail: acknowledgement?.summary ?? record.text)
            switch record.outcome {
            case .applied:
                summary.applied.append(item)
                log.notice("acknowledgement applied", metadata: ["deliveries": "\(moved)", "summary": "\(item.detail ?? "")"])
            case .unmatched:
                summary.unmatched.append(item)
                let notes = results.compactMap(\.note)
                log.warning("acknowledgement matches no completed delivery; kept and tried again on later passes",
                            metadata: ["summary": "\(item.detail ?? "")", "notes": "\(notes)"])
            case .invalid:
                item.code = record.errorCode
                summary.invalid.append(item)
                log.error("acknowledgement unreadable; archived and recorded", metadata: ["code": "\(record.errorCode ?? "")", "error": "\(record.text ?? "")"])
            case .duplicate:
                summary.duplicates.append(item)
                log.info("acknowledgement already processed from another path", metadata: ["detail": "\(record.text ?? "")"])
            }
            return record.id
        }
    }

    // MARK: Matching

    /// The entries of `acknowledgement`, each matched to a delivery of this DSP: by MessageId first, then
    /// by batch id (the older generations name the delivery folder's date), then by release id, each from
    /// the content first and the `ACK_` file name after.
    func inputs(for acknowledgement: Acknowledgement, fileName: String) throws -> [AckEntryInput] {
        let name = AcknowledgementFileName(fileName)?.parts ?? []
        return try acknowledgement.entries.map { entry in
            var messageIds = [entry.messageId].compactMap { $0 }
            var batchIds = [entry.batchId, entry.acknowledgedDate].compactMap { $0 }
            var releaseIds = entry.releaseIds
            // `ACK_<MessageId>_<YYYYMMDDhhmmssnnn>.xml` (Part 3) or `ACK_<date-time>_<ReleaseId>.xml` (ECHO 1.7).
            if name.count >= 2 {
                if Self.isTimestamp(name[0]) {
                    batchIds.append(name[0])
                    releaseIds.append(name.dropFirst().joined(separator: "_"))
                } else {
                    messageIds.append(name.dropLast().joined(separator: "_"))
                }
            }
            var delivery: DeliveryRecord?
            for id in messageIds where delivery == nil {
                delivery = try deliveries.match(dsp: profile.name, messageId: id, batchId: nil, releaseId: nil)
            }
            for id in batchIds where delivery == nil {
                delivery = try deliveries.match(dsp: profile.name, messageId: nil, batchId: id, releaseId: nil)
            }
            for id in releaseIds where delivery == nil {
                delivery = try deliveries.match(dsp: profile.name, messageId: nil, batchId: nil, releaseId: id)
            }
            return AckEntryInput(messageId: entry.messageId, batchId: entry.batchId ?? entry.acknowledgedDate,
                                 releaseIds: entry.releaseIds, status: entry.status, releaseStatus: entry.releaseStatus,
                                 text: Self.words(entry), isSuccess: entry.isSuccess, deliveryId: delivery?.id)
        }
    }

    /// The DSP's words kept with the delivery: its text, then the release status (when not a plain
    /// success), the affected resources and the proposed action.
    static func words(_ entry: Acknowledgement.Entry) -> String? {
        var parts: [String] = []
        if let text = entry.text { parts.append(text) }
        if let status = entry.releaseStatus, !entry.isSuccess || status != "SuccessfullyIngestedByReleaseDistributor" {
            parts.append("release status \(status)")
        }
        if !entry.affectedResources.isEmpty { parts.append("affected \(entry.affectedResources.joined(separator: ", "))") }
        if let action = entry.proposedAction { parts.append("proposed action \(action)") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// `YYYYMMDDhhmmssnnn` (a BatchId or the date-time a batch was placed), or the same without milliseconds.
    static func isTimestamp(_ text: String) -> Bool {
        (text.utf8.count == 17 || text.utf8.count == 14) && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    static func join(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "/")
    }
}
