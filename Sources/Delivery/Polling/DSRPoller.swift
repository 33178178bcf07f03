import DDEXConfig
import DDEXModel
import DSR
import Foundation
import Logging
import Store

/// Picks up a DSP's DSR sales reports (CHOREOGRAPHY.md §7) and loads them into the store.
///
/// The profile's `dsr_folder` is listed; `DSR_*.tsv[.gz]` files are grouped by report (name without XofY).
/// A report is taken only when one of its semaphores is there (`DSRSemaphore`) and all of its Y files are.
/// Each file is archived under `archive/dsr/<dsp>/` (temporary name, resume from the local partial size,
/// size checked against the listing, rename) and recorded with its size and SHA-256 in `dsr_fetches`, so
/// it is never fetched twice. The report is then loaded with `DSRReportLoader` (one transaction per report,
/// idempotent by name and SHA-256). After a successful load `dsr_after_fetch` decides: keep the files on
/// the server, delete them (with the semaphore), or move them to `processed/`. A report that fails to load
/// stays archived, recorded with its coded error, and the pass goes on.
///
/// Not thread-safe: one poller per transport connection.
public final class DSRPoller {
    public let reports: any DSRReportRepository
    /// Loads a fetched report into the store, in its engine.
    public let loadReport: StoreRepositories.LoadReport
    public let transport: any DeliveryTransport
    public let profile: DSPProfile
    /// `<spool>/archive`; files go to `<archiveRoot>/dsr/<dsp>/`.
    public let archiveRoot: String
    public var logger: Logger
    private let now: @Sendable () -> Date

    /// The subfolder of `dsr_folder` that `after_fetch = "move"` moves loaded reports to.
    public static let processedFolder = "processed"

    /// A poller for `profile` over `transport` (already made; `poll` uses it as it is), archiving under
    /// `<archiveRoot>/dsr/<dsp>/`; `now` stamps the store's rows.
    public init(reports: any DSRReportRepository, loadReport: @escaping StoreRepositories.LoadReport,
                transport: any DeliveryTransport, profile: DSPProfile, archiveRoot: String, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() })
    {
        self.reports = reports
        self.loadReport = loadReport
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
        let repositories = StoreRepositories(sqlite: database)
        self.init(reports: repositories.reports, loadReport: repositories.loadReport, transport: transport, profile: profile,
                  archiveRoot: archiveRoot, logger: logger, now: now)
    }

    public var archiveFolder: String { archiveRoot + "/dsr/" + profile.name }

    /// A report found on the server.
    struct RemoteReport {
        var key: DSRReportKey
        var files: [RemoteFile] = []
        var semaphores: [String] = []
    }

    /// One pass over the profile's `dsr_folder`: lists it, then takes each report in report-name order. Never throws:
    /// every failure is in the summary (a folder that cannot be listed in `errors`, a report not yet complete in
    /// `waiting`, one that does not load in `failed`). Empty when the profile has no `dsr_folder`. Blocking: runs on
    /// the caller's thread (network, files and the store).
    public func poll() -> DSRPollSummary {
        var summary = DSRPollSummary()
        guard let configured = profile.dsrFolder else { return summary }
        let folder = configured.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let reports: [RemoteReport]
        do {
            guard let found = try scan(folder, summary: &summary) else { return summary }
            reports = found
        } catch {
            summary.errors.append(PollIssue(path: folder, error: error))
            logger.warning("cannot list the DSR folder", metadata: ["folder": "\(folder)", "error": "\(error)"])
            return summary
        }
        for report in reports {
            take(report, folder: folder, summary: &summary)
        }
        return summary
    }

    /// Lists the folder (and `file_available/`) into reports; nil when the folder does not exist yet.
    func scan(_ folder: String, summary: inout DSRPollSummary) throws -> [RemoteReport]? {
        let entries: [RemoteEntry]
        do {
            entries = try transport.list(folder)
        } catch let error as TransportError where error.kind == .notFound {
            logger.debug("no DSR folder on the server yet", metadata: ["folder": "\(folder)"])
            return nil
        }
        var byKey: [DSRReportKey: RemoteReport] = [:]
        for entry in entries {
            let path = Self.join(folder, entry.name)
            if entry.isDirectory {
                guard entry.name == DSRSemaphore.fileAvailableFolder else { continue }
                for sub in try transport.list(path) where !sub.isDirectory {
                    if let key = DSRSemaphore.reportKey(semaphore: sub.name, inFileAvailable: true) {
                        byKey[key, default: RemoteReport(key: key)].semaphores.append(Self.join(path, sub.name))
                    }
                }
                continue
            }
            if let key = DSRSemaphore.reportKey(semaphore: entry.name) {
                byKey[key, default: RemoteReport(key: key)].semaphores.append(path)
                continue
            }
            guard entry.name.hasPrefix("DSR_"), entry.name.hasSuffix(".tsv") || entry.name.hasSuffix(".tsv.gz") else { continue }
            guard ArchiveDownloader.isSafeName(entry.name) else {
                summary.ignored.append(PollIssue(path: path, code: PollError.Code.unsafeName.rawValue, message: "unsafe file name"))
                continue
            }
            do {
                let name = try DSRFileName(parsing: entry.name)
                byKey[name.reportKey, default: RemoteReport(key: name.reportKey)].files.append((name, entry, path))
            } catch {
                summary.ignored.append(PollIssue(path: path, code: error.code, message: error.description))
            }
        }
        return byKey.values.filter { !$0.files.isEmpty }.sorted { $0.key.description < $1.key.description }
    }

    /// One of a report's files on the server: its parsed name, its listing entry and its path.
    typealias RemoteFile = (name: DSRFileName, entry: RemoteEntry, path: String)

    /// Fetches, loads and settles one report found on the server: it waits until its semaphore and all its files
    /// are there; files settled by an earlier pass are not fetched again.
    private func take(_ report: RemoteReport, folder: String, summary: inout DSRPollSummary) {
        let key = report.key.description
        let remoteFiles = report.files.sorted { $0.name.fileNumber < $1.name.fileNumber }
        var item = DSRPollReport(report: key, files: remoteFiles.map(\.path))
        var log = logger
        log[metadataKey: "report"] = "\(key)"
        guard !report.semaphores.isEmpty else {
            item.detail = "no semaphore (.ctrl) yet: the DSP has not finished uploading"
            summary.waiting.append(item)
            return
        }
        if let incomplete = Self.incompleteness(of: remoteFiles) {
            item.code = incomplete.code
            item.detail = incomplete.detail
            summary.waiting.append(item)
            log.warning("DSR report not complete", metadata: ["detail": "\(item.detail ?? "")"])
            return
        }
        do {
            let known = try remoteFiles.map { try reports.fetch(dsp: profile.name, remotePath: $0.path, size: $0.entry.size) }
            if try settledEarlier(report, known: known, folder: folder, summary: &summary, log: log) {
                summary.done.append(key)
                return
            }
            let records = try fetchMissing(report, remoteFiles: remoteFiles, known: known, summary: &summary, log: log)
            guard try load(records, of: report, item: item, summary: &summary, log: log) else { return }
            try afterFetch(report, folder: folder, ids: records.map(\.id), summary: &summary, log: log)
        } catch {
            summary.errors.append(PollIssue(path: key, error: error))
            log.warning("DSR report not taken; trying again next pass", metadata: ["error": "\(error)"])
        }
    }

    /// Why a report whose semaphore is there cannot be taken yet: files missing (`missingFile`), or files that
    /// disagree on their count or repeat a number (`reportInconsistent`); nil when files 1…Y are all there.
    static func incompleteness(of remoteFiles: [RemoteFile]) -> (code: String, detail: String)? {
        let expected = remoteFiles[0].name.numberOfFiles
        let numbers = remoteFiles.map(\.name.fileNumber)
        guard remoteFiles.contains(where: { $0.name.numberOfFiles != expected }) || Set(numbers).count != numbers.count
            || Set(numbers) != Set(1...expected)
        else { return nil }
        let missing = (1...expected).filter { !numbers.contains($0) }
        if missing.isEmpty {
            return (DSRError.Code.reportInconsistent.rawValue, "the files disagree on the number of files or repeat a file number")
        }
        return (DSRError.Code.missingFile.rawValue,
                "the semaphore is there, but file(s) \(missing.map(String.init).joined(separator: ", ")) of \(expected) are missing")
    }

    /// Whether an earlier pass settled every file of the report (loaded or failed); a report loaded by a process
    /// that stopped before the after-fetch step gets that step now.
    private func settledEarlier(_ report: RemoteReport, known: [DSRFetchRecord?], folder: String,
                                summary: inout DSRPollSummary, log: Logger) throws -> Bool
    {
        let settled = known.compactMap { $0 }
        guard settled.count == report.files.count, settled.allSatisfy({ $0.state != .fetched }) else { return false }
        if settled.allSatisfy({ $0.state == .loaded }), settled.contains(where: { $0.afterFetch == nil }) {
            try afterFetch(report, folder: folder, ids: settled.map(\.id), summary: &summary, log: log)
        }
        return true
    }

    /// The fetch records of the report's files, in file order: a file already archived at its listed size is
    /// kept, any other is downloaded into the archive and recorded.
    private func fetchMissing(_ report: RemoteReport, remoteFiles: [RemoteFile], known: [DSRFetchRecord?],
                              summary: inout DSRPollSummary, log: Logger) throws -> [DSRFetchRecord]
    {
        var records: [DSRFetchRecord] = []
        for (remote, record) in zip(remoteFiles, known) {
            if let record, ArchiveDownloader.size(of: record.localPath) == remote.entry.size {
                records.append(record)
                continue
            }
            let local = archiveFolder + "/" + remote.name.text
            let fetched = try ArchiveDownloader(transport: transport).fetch(remote.path, size: remote.entry.size, to: local)
            summary.fetched.append(remote.path)
            records.append(try reports.recordFetched(NewDSRFetch(
                dsp: profile.name, remotePath: remote.path, fileName: remote.name.text, size: remote.entry.size,
                remoteModified: remote.entry.modified, sha256: fetched.sha256, localPath: fetched.path,
                reportKey: report.key), now: Timestamp.format(now())))
            log.info("DSR file fetched", metadata: ["file": "\(remote.path)", "bytes": "\(remote.entry.size)"])
        }
        return records
    }

    /// Loads the archived files as one report; false when the load failed (reported in `summary.failed`; a content
    /// error also fails the report in the store, so those bytes are not tried again). Throws what the store throws
    /// while recording that failure.
    private func load(_ records: [DSRFetchRecord], of report: RemoteReport, item: DSRPollReport,
                      summary: inout DSRPollSummary, log: Logger) throws -> Bool
    {
        var item = item
        do {
            // The load publishes the fetched files with the report, in its last transaction.
            let result = try load(localPaths: records.map(\.localPath))
            item.reportId = result.reportId
            switch result.outcome {
            case .loaded: item.detail = "loaded"
            case .alreadyLoaded: item.detail = "already-loaded"
            case .loadedSuperseded(let newer): item.detail = "loaded-superseded by report \(newer)"
            }
            summary.loaded.append(item)
            log.notice("DSR report loaded", metadata: ["report_id": "\(result.reportId)", "outcome": "\(item.detail ?? "")",
                                                       "usage_lines": "\(result.usageLineCount)"])
            return true
        } catch {
            let coded = error as? any CodedError
            item.code = coded?.code ?? "DSR_LOAD_FAILED"
            item.detail = coded?.description ?? "\(error)"
            summary.failed.append(item)
            log.error("DSR report failed to load; kept in the archive", metadata: ["code": "\(item.code ?? "")", "error": "\(item.detail ?? "")"])
            // Content errors are final for these bytes; a store failure (busy, disk) is tried again next pass.
            if error is DSRError || error is InvalidTransition {
                try reports.apply(.fail, to: report.key, failure: (code: item.code ?? "", message: item.detail ?? ""),
                                  now: Timestamp.format(now()))
            }
            return false
        }
    }

    private func load(localPaths: [String]) throws -> DSRLoadResult {
        let grouped = DSRReportFiles.group(paths: localPaths)
        if let error = grouped.rejected.first { throw error }
        guard grouped.reports.count == 1, let files = grouped.reports.first else {
            throw DSRError(.reportInconsistent, file: localPaths.first ?? "", "the archived files do not form one report")
        }
        // Bounded transactions on the shared writer: other writers get it between two of them.
        return try loadReport(files)
    }

    /// Keeps, deletes or moves the report's files and semaphores on the server, as the profile says.
    private func afterFetch(_ report: RemoteReport, folder: String, ids: [Int64], summary: inout DSRPollSummary, log: Logger) throws {
        let paths = report.files.map(\.path) + report.semaphores
        let action: DSRAfterFetch
        switch profile.dsrAfterFetch {
        case .keep:
            action = .kept
        case .delete:
            // Report files first, the semaphore last: a half-done delete never looks like a new complete report.
            for path in paths {
                do {
                    try transport.remove(path)
                } catch let error as TransportError where error.kind == .notFound {
                    continue
                } catch {
                    summary.errors.append(PollIssue(path: path, code: PollError.Code.afterFetch.rawValue, message: "cannot delete: \(error)"))
                    return
                }
            }
            action = .deleted
        case .move:
            let target = Self.join(folder, Self.processedFolder)
            try transport.makeDirectories(target)
            for path in paths {
                let name = path.split(separator: "/").last.map(String.init) ?? path
                let destination = Self.join(target, name)
                do {
                    try transport.rename(path, to: destination)
                } catch let error as TransportError where error.kind == .fileExists {
                    // Moved by an earlier attempt that stopped before removing the source, or a file of the same
                    // name from before: drop the source only when the two are the same size.
                    let there = try transport.fileSize(destination)
                    let here = try transport.fileSize(path)
                    guard there == here else {
                        summary.errors.append(PollIssue(path: path, code: PollError.Code.afterFetch.rawValue,
                                                        message: "\(destination) already exists with another size; left in place"))
                        return
                    }
                    try transport.remove(path)
                } catch let error as TransportError where error.kind == .notFound {
                    continue
                } catch {
                    summary.errors.append(PollIssue(path: path, code: PollError.Code.afterFetch.rawValue, message: "cannot move: \(error)"))
                    return
                }
            }
            action = .moved
        }
        try reports.markAfterFetch(ids, action: action, now: Timestamp.format(now()))
        log.info("DSR report settled on the server", metadata: ["after_fetch": "\(action)"])
    }

    static func join(_ parts: String...) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: "/")
    }
}
