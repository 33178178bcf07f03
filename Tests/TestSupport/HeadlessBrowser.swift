import Foundation

/// Debian's `chromium`, headless: loads a page as a browser does and returns the DOM it built, so tests check
/// what a reader of the page is shown. A missing browser fails with the install hint; tests never skip.
public enum HeadlessBrowser {
    public static let installHint = "apt-get install -y chromium"

    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "chromium is not installed (the statement pages are checked in a real browser): \(HeadlessBrowser.installHint)" }
    }

    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The browser, from PATH.
    public static func executable() throws -> URL {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("chromium")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Missing()
    }

    /// The serialized DOM of the page at `file` once loaded, and how long the browser took (start-up included).
    public static func dumpDOM(_ file: URL) throws -> (dom: String, seconds: Double) {
        let browser = try executable()
        // --no-sandbox: tests run as root, which Chromium's sandbox refuses; the pages are our own, without scripts.
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let started = Date()
        let result = try CommandRunner.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                                     "--user-data-dir=\(profile.path)", "--dump-dom", file.absoluteString])
        let seconds = Date().timeIntervalSince(started)
        guard result.status == 0, result.stdout.contains("<html") else {
            throw Failed(description: "chromium --dump-dom \(file.path) exited \(result.status): \(result.stderr.suffix(2000))")
        }
        return (result.stdout, seconds)
    }
}
