import Foundation

/// A per-process throw-away folder, on tmpfs when there is one, for the parsers that read files: each
/// input is written under a fixed name (the parsers see what they see in production, a file on disk).
final class FuzzScratch: @unchecked Sendable {
    static let shared = FuzzScratch()

    let root: URL

    private init() {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        root = URL(fileURLWithPath: base).appendingPathComponent("ddexd-fuzz-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: FuzzScratch.shared.root) }
    }

    /// Writes `bytes` as `name` in the scratch folder (replacing what was there) and returns its URL.
    func write(_ bytes: [UInt8], as name: String) throws(FuzzViolation) -> URL {
        let url = root.appendingPathComponent(name)
        do {
            try Data(bytes).write(to: url)
        } catch {
            throw FuzzViolation("the scratch folder is not writable: \(error)")
        }
        return url
    }

    /// An empty folder `name` in the scratch folder (removed first if present).
    func emptyFolder(_ name: String) -> URL {
        let url = root.appendingPathComponent(name, isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
