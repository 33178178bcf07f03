import DDEXConfig
import DDEXModel
import DDEXRuntime
import Delivery
import Foundation
import ServiceLifecycle
import Store

/// One long-lived delivery worker per enabled DSP (`DSPDeliveryWorker`), each on its own schedule: it delivers
/// whatever is due as soon as it is kicked (a delivery queued for it) or a retry falls due, with up to
/// `max_sessions` sessions, and never waits for another DSP. A DSP added by a reload gets a worker; a removed
/// or disabled one's worker ends.
struct DeliveryService: Service {
    let runtime: DaemonRuntime

    func run() async throws {
        let running = Locked<Set<String>>([])
        let runtime = runtime
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !runtime.isShuttingDown {
                    for profile in runtime.configuration.enabledDSPs where running.withLock({ $0.insert(profile.name).inserted }) {
                        group.addTask {
                            await work(dsp: profile.name)
                            running.withLock { _ = $0.remove(profile.name) }
                        }
                    }
                    await runtime.dspSetChanged.wait(atMost: .seconds(3600))
                }
            }
        } onGracefulShutdown: {
            runtime.beginShutdown()
        }
        // Stopped early by the control service's SIGTERM: a service returns only when its own turn comes.
        try? await gracefulShutdown()
    }

    /// One DSP's worker loop. Ends when the DSP is no longer enabled, or at shutdown once its deliveries under
    /// way are over (or cancelled past the shutdown bound: they resume at the next start).
    private func work(dsp: String) async {
        let runtime = runtime
        let wakeup = runtime.deliveryWakeup(for: dsp)
        var worker: DSPDeliveryWorker?
        while !runtime.isShuttingDown && !Task.isCancelled {
            guard let profile = runtime.configuration.enabledDSPs.first(where: { $0.name == dsp }) else { break }
            if let until = runtime.parkedUntil(dsp: dsp) {
                await wakeup.wait(atMost: .seconds(max(0.05, until.timeIntervalSinceNow)))
                continue
            }
            if worker?.profile != profile {
                await worker?.close()
                worker = DSPDeliveryWorker(profile: profile, store: runtime.deliveries, makeTransport: runtime.makeTransport,
                                           pool: runtime.pool, logger: runtime.logger, leases: runtime.leases)
            }
            guard let worker else { break }
            let summary = await worker.drain(stopClaiming: { runtime.isShuttingDown }) { record in
                await Self.attempted(record, runtime)
            }
            await worker.close()
            runtime.note(reach: summary.dspError, reached: summary.reached, profile: profile)
            if runtime.isShuttingDown { break }
            // Sleep until the next retry falls due (or a kick), and look again at least every minute.
            if runtime.parkedUntil(dsp: dsp) != nil { continue }
            let next = await worker.nextRetry()
            // Deliveries another instance left under way, or that wait for a session slot another instance holds,
            // are looked at again within a lease's lifetime.
            let look = summary.sessionsBusyElsewhere ? min(1, runtime.leases.duration / 3) : min(60, runtime.leases.duration)
            let wait = min(look, max(0.05, next?.timeIntervalSinceNow ?? look))
            await wakeup.wait(atMost: .milliseconds(Int64(wait * 1000)))
        }
        await worker?.close()
    }

    /// After each attempt: the package's timeline, the DSP's health, and the package service's turn (a delivery
    /// that ended may finish its package).
    static func attempted(_ record: DeliveryRecord, _ runtime: DaemonRuntime) async {
        if record.state == .completed {
            runtime.recordSuccess(dsp: record.dsp)
        } else {
            runtime.recordError(dsp: record.dsp, code: record.lastErrorCode ?? "DELIVERY_FAILED", message: record.lastErrorMessage ?? "")
        }
        let detail = record.state == .completed ? record.remoteFolder : "\(record.lastErrorCode ?? ""): \(record.lastErrorMessage ?? "")"
        let event = PackageEvent(at: Timestamp.format(), event: record.state == .completed ? "delivered" : record.state.rawValue,
                                 dsp: record.dsp, detail: detail)
        _ = try? await runtime.pool.run { try runtime.packages.record(record.packageId, event) }
        runtime.packageQueue.enqueue([record.packageId])
    }
}
