import DDEXConfig
import DDEXModel
import DDEXRuntime
import Delivery
import Foundation
import ServiceLifecycle
import Store

/// An acknowledgement poller and a DSR poller per enabled DSP, each on its own interval (`[acks]
/// poll_seconds`, `[dsr] poll_seconds`) and independent of the others: a report that takes a minute to load
/// holds back no acknowledgement. A blocked DSP is left alone until its next try. Each poller runs under its
/// lease (`poll:acks:<dsp>`, `poll:reports:<dsp>`): across instances one polls a DSP at a time.
struct PollService: Service {
    let runtime: DaemonRuntime

    private enum Poller: Hashable {
        case acks(String)
        case reports(String)
    }

    func run() async throws {
        let running = Locked<Set<Poller>>([])
        let runtime = runtime
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !runtime.isShuttingDown {
                    for profile in runtime.configuration.enabledDSPs {
                        var pollers = [Poller.acks(profile.name)]
                        if profile.dsrFolder != nil { pollers.append(.reports(profile.name)) }
                        for poller in pollers where running.withLock({ $0.insert(poller).inserted }) {
                            group.addTask {
                                await poll(poller)
                                running.withLock { _ = $0.remove(poller) }
                            }
                        }
                    }
                    await runtime.pollSetChanged.wait(atMost: .seconds(3600))
                }
            }
        } onGracefulShutdown: {
            runtime.beginShutdown()
        }
        // Stopped early by the control service's SIGTERM: a service returns only when its own turn comes.
        try? await gracefulShutdown()
    }

    private func poll(_ poller: Poller) async {
        let runtime = runtime
        let (dsp, scope): (String, PollPass.Scope) = switch poller {
        case let .acks(dsp): (dsp, .acks)
        case let .reports(dsp): (dsp, .reports)
        }
        while !runtime.isShuttingDown && !Task.isCancelled {
            guard let profile = runtime.configuration.enabledDSPs.first(where: { $0.name == dsp }),
                  scope == .acks || profile.dsrFolder != nil
            else { return }
            let resource = (scope == .acks ? "poll:acks:" : "poll:reports:") + dsp
            if runtime.parkedUntil(dsp: dsp) == nil,
               (try? await runtime.pool.run { try runtime.leases.acquire(resource) }) == true
            {
                let pass = PollPass(repositories: runtime.repositories, archiveRoot: runtime.configuration.spool.archive,
                                    makeTransport: runtime.makeTransport, logger: runtime.logger)
                let summary = try? await runtime.pool.run { () -> DSPPollSummary in
                    defer { runtime.leases.releaseQuietly(resource) }
                    return pass.run(profile: profile, scope: scope)
                }
                guard let summary else { return }
                runtime.note(reach: summary.blockedBy, reached: summary.errors.isEmpty, profile: profile)
                if summary.blockedBy == nil, let failure = summary.failures.first {
                    runtime.recordError(dsp: dsp, code: failure.code, message: failure.message)
                }
                if !summary.acks.applied.isEmpty { runtime.packageQueue.enqueueEveryOpenPackage() }
            }
            let seconds = scope == .acks ? profile.ackPollSeconds : profile.dsrPollSeconds
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(seconds)) }
        }
    }
}
