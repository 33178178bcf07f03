import DDEXConfig
import DDEXModel
import Foundation
import Store

/// At start-up, removes what a crash (`kill -9`, a power cut) left in `work/` that no package step will
/// clean: unpacked copies of zip packages, and work folders of packages already rejected or done.
///
/// A package still to be validated (`received`) loses only its unpack folder (validation unpacks it again);
/// a valid or built one keeps everything (bundling still reads its files). A folder the store does not know
/// keeps its content but its unpack folder: it may hold a label's package, which ddexd never deletes.
/// Run it holding the spool lock, after `PackageClaimer.recover()`, before any package step.
public struct WorkFolderSweep: Sendable {
    /// The folder a zip package is unpacked into, inside its work folder.
    public static let unpackFolderName = "unpacked"

    public let spool: SpoolSettings
    public let packages: any PackageRepository
    /// This instance's leases: a package another live instance is working on is left alone.
    public let leases: LeaseKeeper?

    /// A sweep of the spool's `work/` folder, judging each folder by its package's state in `packages`.
    public init(spool: SpoolSettings, packages: any PackageRepository, leases: LeaseKeeper? = nil) {
        self.spool = spool
        self.packages = packages
        self.leases = leases
    }

    /// Sweeps `work/`; returns the paths it removed.
    @discardableResult
    public func run() throws -> [String] {
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: spool.work)) ?? [] where !name.hasSuffix(".claim.json") {
            let folder = spool.work + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            // A claim under way (its claim file still there) or a package another instance works on is not ours.
            if FileManager.default.fileExists(atPath: folder + ".claim.json") { continue }
            let resource = DaemonRuntime.packageResource(name)
            if let leases, try !leases.acquireUnheld(resource) { continue }
            defer { leases?.releaseQuietly(resource) }
            let state = try packages.package(name)?.state
            if state == .valid || state == .built { continue }
            let unpacked = folder + "/" + Self.unpackFolderName
            if FileManager.default.fileExists(atPath: unpacked) {
                try FileManager.default.removeItem(atPath: unpacked)
                removed.append(unpacked)
            }
            // A rejected or finished package was moved out; what is left is the folder a crash kept.
            if state == .rejected || state == .done, (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
                try FileManager.default.removeItem(atPath: folder)
                removed.append(folder)
            }
        }
        return removed
    }
}
