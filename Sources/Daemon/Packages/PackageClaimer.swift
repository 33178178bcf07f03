import DDEXConfig
import DDEXModel
import Foundation
import Intake
import Store

#if canImport(Glibc)
import Glibc
#endif

/// Takes complete packages out of an account's inbound folder into `work/<package-id>/`, atomically.
///
/// A claim first writes `work/<package-id>.claim.json` (who, from where), then renames the package (one
/// `rename`, so the label system never sees it half-moved), then records it in the store and removes the
/// claim file. A crash between any two steps is repaired by `recover()`: the claim file says what was
/// being moved, and the folder's presence says how far the move got. Nothing inside the package changes.
///
/// Several instances may share the spool: each candidate is claimed under a lease (`inbound:<account>/<name>`),
/// so only one instance moves it, and the claim file names its instance, so that only a dead instance's
/// half-made claims are repaired by another.
public struct PackageClaimer: Sendable {
    public let spool: SpoolSettings
    public let packages: any PackageRepository
    /// This instance's leases (a daemon); nil for a caller that holds the spool lock.
    public let leases: LeaseKeeper?

    /// A claimer for the spool's inbound and work folders, recording claims in `packages`.
    public init(spool: SpoolSettings, packages: any PackageRepository, leases: LeaseKeeper? = nil) {
        self.spool = spool
        self.packages = packages
        self.leases = leases
    }

    struct Claim: Codable {
        var packageId: String
        var account: String
        var source: String
        var kind: String
        /// The instance that made the claim (absent in claims of before clusters).
        var instance: String?
    }

    /// The lease of one candidate in an inbound folder.
    static func resource(account: String, name: String) -> String { "inbound:\(account)/\(name)" }

    /// Claims every complete package in `account`'s inbound folder; returns the new package ids.
    public func claimAll(account: Account, now: Date = Date()) throws -> [String] {
        let inbound = URL(fileURLWithPath: account.inbound)
        try FileManager.default.createDirectory(at: inbound, withIntermediateDirectories: true)
        var claimed: [String] = []
        for (index, candidate) in try PackageDiscovery.scan(inbound: inbound).enumerated() {
            let resource = Self.resource(account: account.name, name: candidate.name)
            if let leases {
                guard try leases.acquire(resource) else { continue } // another instance is claiming it
            }
            defer { leases?.releaseQuietly(resource) }
            let id = Self.packageId(account: account.name, name: candidate.name, at: now, index: index)
            if let id = try claim(candidate, account: account.name, id: id) { claimed.append(id) }
        }
        return claimed
    }

    /// `20261121T101500123Z-<account>-<name>`: sortable, unique, safe as a file name.
    public static func packageId(account: String, name: String, at date: Date, index: Int = 0) -> String {
        let ms = Int64(date.timeIntervalSince1970 * 1000) + Int64(index)
        let seconds = time_t(ms / 1000)
        var tm = tm()
        var s = seconds
        gmtime_r(&s, &tm)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02d%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                           tm.tm_hour, tm.tm_min, tm.tm_sec, Int(ms % 1000))
        let safeName = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" }.prefix(80))
        return "\(stamp)-\(account)-\(safeName)"
    }

    /// Moves one candidate into `work/<id>/` and records it; nil when it is gone (another instance claimed it
    /// between this scan and this lease).
    func claim(_ candidate: DiscoveredPackage, account: String, id: String) throws -> String? {
        // Checked before anything is written: another instance, which may have made the same id for the same name
        // in the same millisecond, moved it between this scan and this lease.
        guard FileManager.default.fileExists(atPath: candidate.url.path) else { return nil }
        let workFolder = spool.work + "/" + id
        let claimFile = spool.work + "/" + id + ".claim.json"
        let claim = Claim(packageId: id, account: account, source: candidate.url.path, kind: candidate.kind.rawValue,
                          instance: leases?.instance)
        try AtomicFile.write(try JSONEncoder().encode(claim), to: claimFile)
        try FileManager.default.createDirectory(atPath: workFolder, withIntermediateDirectories: true)
        switch candidate.kind {
        case .folder:
            try Self.rename(candidate.url.path, to: workFolder + "/" + candidate.name)
        case .zip:
            // The zip first, then its marker: a crash in between leaves a zip without marker, which
            // `recover()` completes from the claim file.
            try Self.rename(candidate.url.path, to: workFolder + "/" + candidate.url.lastPathComponent)
            try Self.rename(candidate.readyMarker.path, to: workFolder + "/" + candidate.readyMarker.lastPathComponent)
        }
        try packages.receive(id: id, account: account, source: candidate.url.path, workPath: workFolder, now: Timestamp.format())
        try? FileManager.default.removeItem(atPath: claimFile)
        return id
    }

    /// Finishes or undoes claims a crash interrupted: this instance's own (made before a restart) and those of
    /// instances no longer alive (their instance lease expired); a live instance's claim under way is left alone.
    /// Call at start-up (and, in a cluster, on every rescan).
    public func recover() throws -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool.work)) ?? []
        var recovered: [String] = []
        for name in names where name.hasSuffix(".claim.json") {
            let claimFile = spool.work + "/" + name
            guard let data = FileManager.default.contents(atPath: claimFile),
                  let claim = try? JSONDecoder().decode(Claim.self, from: data)
            else {
                try? FileManager.default.removeItem(atPath: claimFile)
                continue
            }
            let resource = Self.resource(account: claim.account, name: (claim.source as NSString).lastPathComponent)
            if let leases {
                if let owner = claim.instance, owner != leases.instance, try isAlive(owner, leases) { continue }
                guard try leases.acquire(resource) else { continue }
            }
            defer { leases?.releaseQuietly(resource) }
            if try packages.package(claim.packageId) == nil {
                let workFolder = spool.work + "/" + claim.packageId
                let sourceName = (claim.source as NSString).lastPathComponent
                let moved = FileManager.default.fileExists(atPath: workFolder + "/" + sourceName)
                if claim.kind == DiscoveredPackage.Kind.zip.rawValue, moved,
                   FileManager.default.fileExists(atPath: claim.source + PackageDiscovery.zipReadySuffix)
                {
                    try Self.rename(claim.source + PackageDiscovery.zipReadySuffix, to: workFolder + "/" + sourceName + PackageDiscovery.zipReadySuffix)
                }
                if moved {
                    try packages.receive(id: claim.packageId, account: claim.account, source: claim.source, workPath: workFolder, now: Timestamp.format())
                    recovered.append(claim.packageId)
                } else {
                    // The rename never happened: the package is still in the inbound folder and will be claimed again.
                    try? FileManager.default.removeItem(atPath: workFolder)
                }
            }
            try? FileManager.default.removeItem(atPath: claimFile)
        }
        return recovered
    }

    /// True while `instance` holds its instance lease.
    private func isAlive(_ instance: String, _ leases: LeaseKeeper) throws -> Bool {
        guard let lease = try leases.cluster.lease("instance:" + instance) else { return false }
        return lease.holder == instance && !lease.isExpired(at: Date().timeIntervalSince1970)
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw PackageMoveError(code: "PACKAGE_MOVE_FAILED", description: "rename \(from) → \(to): \(String(cString: strerror(errno)))")
        }
    }
}

/// A package that could not be moved through the spool (`PACKAGE_MOVE_FAILED`), or whose stored record does not
/// match what the spool holds (`PACKAGE_STATE_CORRUPT`).
public struct PackageMoveError: CodedError {
    public let code: String
    public let description: String
}
