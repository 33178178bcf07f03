import DDEXConfig
import Foundation
import ServiceLifecycle
import Store

/// Watches the accounts' inbound folders (inotify, with a rescan every `rescan_seconds` behind it), claims every
/// complete package into `work/`, and hands it to the package service. Package folders are watched while they
/// are being written (READY appears inside them) and unwatched once they are gone.
struct InboundService: Service {
    let runtime: DaemonRuntime

    func run() async throws {
        let watcher = try InotifyWatcher()
        defer { watcher.stop() }
        try refreshWatches(watcher)
        watcher.start()
        let wakeup = runtime.inboundWakeup
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { for await _ in watcher.changes { wakeup.kick() } }
                group.addTask { await self.scanLoop(watcher) }
            }
        }
    }

    private func scanLoop(_ watcher: InotifyWatcher) async {
        let runtime = runtime
        while !Task.isCancelled && !runtime.isShuttingDown {
            await runtime.inboundWakeup.wait(atMost: .seconds(runtime.configuration.daemon.rescanSeconds))
            if Task.isCancelled || runtime.isShuttingDown { return }
            try? refreshWatches(watcher)
            do {
                let ids = try await runtime.pool.run { try Self.claim(runtime) }
                runtime.packageQueue.enqueue(ids)
            } catch is CancellationError {
                return
            } catch {
                runtime.logger.error("inbound scan failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Watches every account's inbound folder and the package folders in it; drops watches of folders gone.
    private func refreshWatches(_ watcher: InotifyWatcher) throws {
        var wanted: Set<String> = []
        for account in runtime.configuration.accounts.values {
            try FileManager.default.createDirectory(atPath: account.inbound, withIntermediateDirectories: true)
            wanted.insert(account.inbound)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: account.inbound)) ?? [] {
                var isDirectory: ObjCBool = false
                let path = account.inbound + "/" + name
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { wanted.insert(path) }
            }
        }
        for path in watcher.watchedPaths where !wanted.contains(path) { watcher.unwatch(path) }
        for path in wanted.sorted() { try? watcher.watch(path) }
    }

    /// Claims every complete package of every account; one account's failure is logged, the others go on.
    static func claim(_ runtime: DaemonRuntime) throws -> [String] {
        let configuration = runtime.configuration
        let claimer = runtime.claimer
        // Half-made claims of an instance that died meanwhile (none alone on the spool: start-up repaired ours).
        var claimed: [String] = (try? claimer.recover()) ?? []
        for account in configuration.accounts.values.sorted(by: { $0.name < $1.name }) {
            do {
                let ids = try claimer.claimAll(account: account)
                for id in ids { runtime.logger.info("package claimed", metadata: ["package": "\(id)", "account": "\(account.name)"]) }
                claimed += ids
            } catch {
                runtime.logger.error("cannot claim packages", metadata: ["account": "\(account.name)", "error": "\(error)"])
            }
        }
        return claimed
    }
}
