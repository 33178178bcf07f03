import DDEXModel
import DDEXRuntime
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private temporary folder for one command's work (`$TMPDIR/ddexd-<purpose>-<pid>-<random>`, mode 0700),
/// removed on every way out of the process that can be caught.
///
/// - `remove()` when the work is done (callers use `defer`);
/// - SIGINT, SIGTERM and SIGHUP, once `removeAllOnTerminationSignals()` is installed (the one-shot commands
///   do): every live scratch folder is removed, then the signal is raised again with its default action,
///   so the exit status still says which signal ended the process. `isTerminating` turns true first, and
///   the zip unpacker stops between chunks; it creates files only through the folder's descriptor, so
///   nothing can be recreated below a folder once it is gone;
/// - SIGKILL cannot be caught: `sweepAbandoned(purpose:)` removes folders of processes that no longer exist,
///   and the commands call it when they start.
public final class ScratchFolder: Sendable {
    public let url: URL
    public var path: String { url.path }

    private init(url: URL) { self.url = url }

    /// Creates a new scratch folder under `$TMPDIR` (or `/tmp`).
    public static func make(purpose: String) throws -> ScratchFolder {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let url = temporaryRoot.appendingPathComponent("\(prefix(purpose))\(getpid())-\(random)", isDirectory: true)
        // Registered first: a signal arriving between the two steps removes whatever exists.
        registry.withLock { $0.insert(url.path) }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            registry.withLock { _ = $0.remove(url.path) }
            throw error
        }
        return ScratchFolder(url: url)
    }

    /// Removes the folder and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
        Self.registry.withLock { _ = $0.remove(url.path) }
    }

    /// True once a termination signal arrived: long work should stop.
    public static var isTerminating: Bool { terminating.withLock { $0 } }

    /// When a termination signal arrived, waits for its handler to end the process (so no half-done work is
    /// reported, and the exit status names the signal); returns at once otherwise.
    public static func yieldToTermination() {
        guard isTerminating else { return }
        while true { sleep(1) }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove every scratch folder, then end the process
    /// by the same signal. Idempotent.
    public static func removeAllOnTerminationSignals() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { terminate(by: signalNumber) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Removes `$TMPDIR/ddexd-<purpose>-<pid>-*` folders whose process is gone (killed with SIGKILL, say).
    @discardableResult
    public static func sweepAbandoned(purpose: String) -> [String] {
        let prefix = prefix(purpose)
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporaryRoot.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0, pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            let path = temporaryRoot.appendingPathComponent(name).path
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    // MARK: Process-wide state

    private static func prefix(_ purpose: String) -> String { "ddexd-\(purpose)-" }

    private static var temporaryRoot: URL { URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true) }

    private static let registry = Locked<Set<String>>([])
    private static let terminating = Locked(false)
    private static let sources = Locked<[any DispatchSourceSignal]>([])

    private static func terminate(by signalNumber: Int32) {
        terminating.withLock { $0 = true }
        // Twice: a file the unpacker was creating as the first pass ran can make a folder's removal fail once;
        // after the folder is gone nothing can be created below it.
        for _ in 0..<2 {
            for path in registry.withLock({ Array($0) }) { try? FileManager.default.removeItem(atPath: path) }
        }
        signal(signalNumber, SIG_DFL)
        // To the process, not this thread: libdispatch's threads block signals, the main thread takes it.
        kill(getpid(), signalNumber)
    }
}
