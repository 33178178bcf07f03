import DDEXModel
import DDEXRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Watches folders with Linux inotify and reports which watched folder changed.
///
/// Label systems drop a package as a folder and write `READY` last (or move a finished folder in with
/// one rename), so the watcher follows the inbound folders and, one level down, each package folder.
/// Events are coalesced by folder: the consumer rescans that folder, which is cheap and robust
/// against missed or overflowed events (a periodic rescan runs behind it anyway).
public final class InotifyWatcher: @unchecked Sendable {
    private let fd: Int32
    /// The watched folders by watch descriptor and by path.
    private struct Watches {
        var pathsByDescriptor: [Int32: String] = [:]
        var descriptorsByPath: [String: Int32] = [:]
    }

    private let watches = Locked(Watches())
    private var stopPipe: [Int32] = [-1, -1]
    private var thread: Thread?

    /// Folders that changed (their paths), delivered in batches.
    public let changes: AsyncStream<Set<String>>
    private let continuation: AsyncStream<Set<String>>.Continuation

    /// Opens a non-blocking inotify instance and the pipe that wakes its reader on `stop()`; watches nothing yet.
    /// Throws `WatcherError` when the kernel refuses (`fs.inotify.max_user_instances` reached, no descriptors left).
    public init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatcherError(message: "inotify_init1: \(String(cString: strerror(errno)))") }
        guard pipe(&stopPipe) == 0 else {
            close(fd)
            throw WatcherError(message: "pipe: \(String(cString: strerror(errno)))")
        }
        (changes, continuation) = AsyncStream.makeStream(of: Set<String>.self, bufferingPolicy: .bufferingNewest(64))
    }

    deinit {
        stop()
        close(fd)
        close(stopPipe[0])
        close(stopPipe[1])
    }

    /// Starts watching `path` (a folder). Watching a folder twice is harmless.
    public func watch(_ path: String) throws {
        try watches.withLock { watches in
            guard watches.descriptorsByPath[path] == nil else { return }
            let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_ONLYDIR)
            let wd = inotify_add_watch(fd, path, mask)
            guard wd >= 0 else { throw WatcherError(message: "inotify_add_watch \(path): \(String(cString: strerror(errno)))") }
            watches.pathsByDescriptor[wd] = path
            watches.descriptorsByPath[path] = wd
        }
    }

    /// Stops watching `path`; a path not watched is ignored. Safe from any thread (the watch table is locked).
    public func unwatch(_ path: String) {
        watches.withLock { watches in
            guard let wd = watches.descriptorsByPath.removeValue(forKey: path) else { return }
            watches.pathsByDescriptor[wd] = nil
            inotify_rm_watch(fd, wd)
        }
    }

    public var watchedPaths: [String] { watches.withLock { $0.descriptorsByPath.keys.sorted() } }

    /// Starts the reader thread.
    public func start() {
        let thread = Thread { [weak self] in self?.readLoop() }
        thread.name = "ddexd-inotify"
        self.thread = thread
        thread.start()
    }

    /// Stops the reader thread and finishes `changes`.
    public func stop() {
        guard thread != nil else { return }
        var byte: UInt8 = 1
        _ = write(stopPipe[1], &byte, 1)
        thread = nil
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stopPipe[0], events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[1].revents != 0 { break }
            var changed: Set<String> = []
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= n {
                    let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                        let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                        return (event.wd, event.mask, Int(event.len))
                    }
                    let path = watches.withLock { watches in
                        let path = watches.pathsByDescriptor[wd]
                        if mask & UInt32(IN_IGNORED) != 0, let path {
                            watches.pathsByDescriptor[wd] = nil
                            watches.descriptorsByPath[path] = nil
                        }
                        return path
                    }
                    if let path { changed.insert(path) }
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 { changed.insert("*") }  // lost events: rescan everything
                    offset += MemoryLayout<inotify_event>.size + length
                }
            }
            if !changed.isEmpty { continuation.yield(changed) }
        }
        continuation.finish()
    }
}

/// An inbound folder that inotify could not watch (`WATCH_FAILED`); the periodic rescan still finds its packages.
public struct WatcherError: CodedError {
    public let message: String
    public var code: String { "WATCH_FAILED" }
    public var description: String { message }
}
