import DDEXModel
import Foundation
import ServiceLifecycle
import Store

/// This instance's membership of the cluster working on the store: the heartbeat that renews every lease it holds
/// (its own instance lease among them) each third of a lease's life, the news of leases lost, and at shutdown the
/// giving back of every lease, so that other instances take the work at once instead of after the leases expire.
///
/// First in the service group, so it stops last: no lease is given back while work under it may still be running.
struct ClusterService: Service {
    let runtime: DaemonRuntime

    func run() async throws {
        let runtime = runtime
        let interval = Duration.milliseconds(Int64(max(0.05, runtime.leases.duration / 3) * 1000))
        var failing: String?
        var skew = ClockSkewReport()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let lost = try await runtime.pool.run { try runtime.leases.heartbeat() }
                skew.note(runtime.leases.clock.reading, logger: runtime.logger)
                if !lost.isEmpty {
                    runtime.logger.warning("leases lost (they expired: the store was away, or another instance took them over): their work stops here", metadata: [
                        "code": "LEASE_LOST", "resources": "\(lost.joined(separator: ","))",
                    ])
                }
                if failing != nil { runtime.logger.notice("store reachable again: leases renewed") }
                failing = nil
                runtime.noteStore(error: nil)
            } catch is CancellationError {
                break
            } catch {
                let code = (error as? any CodedError)?.code ?? "STORE_UNREACHABLE"
                if failing != code {
                    runtime.logger.error("cannot renew this instance's leases; work under them stops if they expire", metadata: [
                        "code": "\(code)", "error": "\(error)",
                    ])
                }
                failing = code
                runtime.noteStore(error: StatusError(code: code, message: "\(error)", at: Timestamp.format()))
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        let id = runtime.instance.id
        do {
            try await runtime.pool.run { try runtime.repositories.cluster.releaseAll(holder: id, stoppedAt: Timestamp.format()) }
        } catch {
            runtime.logger.warning("could not give the leases back; they expire on their own", metadata: ["error": "\(error)"])
        }
    }
}
