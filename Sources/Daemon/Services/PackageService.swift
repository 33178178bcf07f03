import DDEXModel
import Foundation
import ServiceLifecycle
import Store

/// The one owner of package processing: validation, bundling, and archiving once every delivery is over.
///
/// Every other service only asks (`PackageQueue`); this one advances the packages one at a time, so no package
/// is ever processed by two passes at once, however many inotify events, rescans, delivery results and
/// acknowledgements ask for it together. The store checks every state change against the state it reads in
/// the same transaction as a second line of defence.
struct PackageService: Service {
    let runtime: DaemonRuntime

    func run() async throws {
        let queue = runtime.packageQueue
        while !Task.isShuttingDownGracefully && !runtime.isShuttingDown {
            let (ids, everyOpen) = queue.take()
            if ids.isEmpty && !everyOpen {
                try? await cancelWhenGracefulShutdown { await queue.wakeup.wait(atMost: .seconds(60)) }
                continue
            }
            await advance(ids, everyOpenPackage: everyOpen)
        }
        // Stopped early by the control service's SIGTERM: a service returns only when its own turn comes.
        try? await gracefulShutdown()
    }

    private func advance(_ ids: [String], everyOpenPackage: Bool) async {
        let runtime = runtime
        var todo = ids
        if everyOpenPackage {
            let open = (try? await runtime.pool.run { try runtime.packages.packages(in: [.received, .valid, .built]).map(\.id) }) ?? []
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

    /// Advances one package as far as it goes and writes its status file; true when it was bundled now.
    static func advance(_ id: String, _ runtime: DaemonRuntime) throws -> Bool {
        let processor = runtime.processor
        let before = try runtime.packages.package(id)?.state
        defer {
            try? StatusPublisher(writer: StatusWriter(folder: runtime.configuration.spool.status), packages: runtime.packages,
                                 deliveries: runtime.deliveries).publishPackages([id], configuration: runtime.configuration)
        }
        let after = try processor.advance(id)
        return before != after && after == .built
    }
}
