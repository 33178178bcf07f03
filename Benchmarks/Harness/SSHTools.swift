import Foundation

/// Runs the OpenSSH command-line tools (and a few others) for the sshd test harness.
public enum SSHTools {
    public struct Failure: Error, CustomStringConvertible {
        public let command: String
        public let status: Int32
        public let output: String
        public var description: String { "`\(command)` exited with \(status): \(output)" }
    }

    /// Runs `executable` with `arguments`, waits, and returns standard output; throws with standard error when the
    /// exit status is not 0.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try SSHProcess.run(executable, arguments)
        guard result.status == 0 else {
            throw Failure(command: ([executable] + arguments).joined(separator: " "), status: result.status,
                          output: result.stderr + result.stdout)
        }
        return result.stdout
    }

    /// Generates a key pair without a passphrase (unless given) at `path` and `path.pub`.
    /// `type` is an `ssh-keygen -t` value: `ed25519`, `ecdsa`, `rsa`.
    public static func generateKey(type: String, at path: String, passphrase: String = "",
                                   comment: String = "ddexd-test") throws
    {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + ".pub")
        var arguments = ["-q", "-t", type, "-N", passphrase, "-f", path, "-C", comment]
        if type == "rsa" { arguments += ["-b", "2048"] }
        try run("/usr/bin/ssh-keygen", arguments)
    }

    /// The `SHA256:…` fingerprint `ssh-keygen -lf` prints for a public key file.
    public static func fingerprint(ofPublicKey path: String) throws -> String {
        let output = try run("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", path])
        guard let field = output.split(separator: " ").first(where: { $0.hasPrefix("SHA256:") }) else {
            throw Failure(command: "ssh-keygen -lf \(path)", status: 0, output: output)
        }
        return String(field)
    }

    /// The hex SHA-256 of a file (`sha256sum`).
    public static func sha256(of path: String) throws -> String {
        let output = try run("/usr/bin/sha256sum", [path])
        return String(output.prefix(64))
    }

    /// Writes a file of `size` pseudo-random bytes (deterministic per `seed`), streaming 1 MiB at a time.
    public static func writeRandomFile(at path: String, size: Int, seed: UInt64 = 1) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw Failure(command: "create \(path)", status: -1, output: "cannot open for writing")
        }
        defer { try? handle.close() }
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var remaining = size
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        while remaining > 0 {
            let count = min(chunk, remaining)
            buffer.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for index in 0..<(count + 7) / 8 where index < words.count {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    words[index] = state
                }
            }
            try handle.write(contentsOf: buffer[0..<count])
            remaining -= count
        }
    }
}
