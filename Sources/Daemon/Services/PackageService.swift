import DDEXModel
import Foundation
import ServiceLifecycle
import Store

/// The one owner of package processing: validation, bundling, and archiving once every delivery is over.
///
/// Every other service only asks (`PackageQueue`); this one advances the packages one at a time, so no package
/// is ever processed by two passes at once, however many inotify events, rescans, delivery results and
/// acknowledgements ask for it together. Across instances, a package is advanced under its lease
/// (`package:<id>`): one instance at a time, and a package whose instance died is taken over by the next look at
/// every open package (each lease's lifetime at the latest). The store checks every state change against the
/// state it reads in the same transaction as a further line of defence.
struct PackageService: Service {
    let runtime: DaemonRuntime

    func run() async throws {
        let queue = runtime.packageQueue
        while !Task.isShuttingDownGracefully && !runtime.isShuttingDown {
            let (ids, everyOpen) = queue.take()
            if ids.isEmpty && !everyOpen {
                let look = min(60, max(0.05, runtime.leases.duration))
                try? await cancelWhenGracefulShutdown { await queue.wakeup.wait(atMost: .milliseconds(Int64(look * 1000))) }
                // Packages another instance left half-processed when it died are taken over from here; with other
                // instances, built ones too: one whose deliveries ended while its lease was another's was skipped.
                let states: [PackageState] = runtime.sharesTheStore ? [.received, .valid, .built] : [.received, .valid]
                if queue.isIdle { await advance([], everyOpenPackage: true, states: states) }
                await publishStaleStatuses()
                continue
            }
            await advance(ids, everyOpenPackage: everyOpen)
        }
        // Stopped early by the control service's SIGTERM: a service returns only when its own turn comes.
        try? await gracefulShutdown()
    }

    private func advance(_ ids: [String], everyOpenPackage: Bool, states: [PackageState] = [.received, .valid, .built]) async {
        let runtime = runtime
        var todo = ids
        if everyOpenPackage {
            let open = (try? await runtime.pool.run { try runtime.packages.packages(in: states).map(\.id) }) ?? []
            todo += open.filter { !todo.contains($0) }
        }
        for id in todo where !runtime.isShuttingDown {
            let built: Bool
            do {
                built = try await runtime.pool.run { try Self.advance(id, runtime) }
            } catch is CancellationError {
                return
            } catch {
                runtime.logger.error("package step failed; it will be retried", metadata: ["package": "\(id)", "error": "\(error)"])
                continue
            }
            if built { runtime.kickDeliveries() }
        }
    }

    /// Writes again the status files that could not be written when their package last changed.
    private func publishStaleStatuses() async {
        let runtime = runtime
        for id in runtime.packageQueue.takeStaleStatuses() where !runtime.isShuttingDown {
            _ = try? await runtime.pool.run { Self.publishStatus(id, runtime) }
        }
    }

    /// Writes `id`'s status file; when the store cannot be read, notes it for the next look.
    private static func publishStatus(_ id: String, _ runtime: DaemonRuntime) {
        do {
            try StatusPublisher(writer: runtime.statusWriter, packages: runtime.packages, deliveries: runtime.deliveries)
                .publishPackages([id], configuration: runtime.configuration)
        } catch {
            runtime.packageQueue.noteStaleStatus(id)
        }
    }

    /// Advances one package as far as it goes and writes its status file; true when it was bundled now. A package
    /// another instance is advancing is left to it.
    static func advance(_ id: String, _ runtime: DaemonRuntime) throws -> Bool {
        let resource = DaemonRuntime.packageResource(id)
        guard try runtime.leases.acquire(resource) else { return false }
        defer { runtime.leases.releaseQuietly(resource) }
        let processor = runtime.processor
        let before = try runtime.packages.package(id)?.state
        defer { publishStatus(id, runtime) }
        let after = try processor.advance(id)
        return before != after && after == .built
    }
}
