import DDEXConfig
import DDEXModel
import Foundation
import Logging
import Store

/// One polling pass over DSPs: acknowledgements (`AckPoller`) then sales reports (`DSRPoller`), over one
/// connection per DSP. `ddexd poll` runs one pass; the daemon runs passes on each profile's poll interval.
public struct PollPass: Sendable {
    public let repositories: StoreRepositories
    /// `<spool>/archive`.
    public let archiveRoot: String
    public let makeTransport: MakeTransport
    public let logger: Logger
    public let now: @Sendable () -> Date

    /// A pass over the store's `repositories`, opening one transport per DSP with `makeTransport`; `now` is the
    /// pollers' clock.
    public init(repositories: StoreRepositories, archiveRoot: String, makeTransport: @escaping MakeTransport, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() })
    {
        self.repositories = repositories
        self.archiveRoot = archiveRoot
        self.makeTransport = makeTransport
        self.logger = logger
        self.now = now
    }

    /// A pass over the SQLite store `database`.
    public init(database: StoreDatabase, archiveRoot: String, makeTransport: @escaping MakeTransport, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() })
    {
        self.init(repositories: StoreRepositories(sqlite: database), archiveRoot: archiveRoot, makeTransport: makeTransport,
                  logger: logger, now: now)
    }

    /// What to poll in a pass.
    public struct Scope: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let acks = Scope(rawValue: 1)
        public static let reports = Scope(rawValue: 2)
        public static let all: Scope = [.acks, .reports]
    }

    /// Polls each profile in turn (blocking the calling thread); a DSP that cannot be reached does not stop the others.
    public func run(profiles: [DSPProfile], scope: Scope = .all) -> [String: DSPPollSummary] {
        var out: [String: DSPPollSummary] = [:]
        for profile in profiles {
            out[profile.name] = run(profile: profile, scope: scope)
        }
        return out
    }

    /// Polls one DSP over one new connection, acknowledgements first, then reports, as `scope` asks, and closes it.
    /// Never throws: a DSP that cannot be reached is in the summary's `errors` (and `blockedBy` when it needs a
    /// person). Blocking: runs on the caller's thread.
    public func run(profile: DSPProfile, scope: Scope = .all) -> DSPPollSummary {
        var summary = DSPPollSummary()
        var log = logger
        log[metadataKey: "dsp"] = "\(profile.name)"
        let transport: any DeliveryTransport
        do {
            transport = try makeTransport(profile)
            try transport.connect()
        } catch {
            summary.errors.append(PollIssue(path: profile.transport.remoteRoot, error: error))
            let issue = DSPIssue(error)
            if issue.blocked { summary.blockedBy = issue }
            // A blocked DSP is logged once per change by whoever parks it, not on every try.
            log.log(level: issue.blocked ? .debug : .error, "cannot reach the DSP's server", metadata: ["error": "\(error)"])
            return summary
        }
        defer { transport.close() }
        if scope.contains(.acks) {
            summary.acks = AckPoller(deliveries: repositories.deliveries, acks: repositories.acknowledgements, transport: transport,
                                     profile: profile, archiveRoot: archiveRoot, logger: log, now: now).poll()
        }
        if scope.contains(.reports), profile.dsrFolder != nil {
            summary.reports = DSRPoller(reports: repositories.reports, loadReport: repositories.loadReport, transport: transport,
                                        profile: profile, archiveRoot: archiveRoot, logger: log, now: now).poll()
        }
        return summary
    }
}
