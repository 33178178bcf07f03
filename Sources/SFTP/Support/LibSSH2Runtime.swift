import CLibSSH2

/// libssh2's global initialisation, done once per process.
///
/// `libssh2_init` is not thread-safe, and `libssh2_session_init` calls it lazily; a Swift static `let` runs its
/// initialiser exactly once, under a lock, before the first session is made from any thread.
enum LibSSH2Runtime {
    private static let initResult: Int32 = libssh2_init(0)

    /// Initialises libssh2 if this is the first call; throws if libssh2 could not initialise its crypto backend.
    static func ensureInitialised() throws(SFTPError) {
        guard initResult == 0 else {
            throw SFTPError(.connectFailed, operation: "libssh2_init",
                            message: "libssh2 failed to initialise (error \(initResult))", isRetryable: false)
        }
    }

    /// The libssh2 version string, e.g. `1.10.0`.
    static var version: String {
        guard let text = libssh2_version(0) else { return "unknown" }
        return String(cString: text)
    }
}
