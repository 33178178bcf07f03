import Crypto
import Foundation

/// An OpenSSH known_hosts file: the host keys ddexd trusts.
///
/// Supported: `host[,host…] type base64 [comment]` lines, `[host]:port` for ports other than 22, wildcards `*` and
/// `?`, negated patterns `!host`, hashed host names (`|1|salt|hash`, HMAC-SHA1, as `ssh-keygen -H` writes them)
/// and the `@revoked` marker. `@cert-authority` lines are skipped: libssh2 1.10 does not verify host certificates.
/// Lines that cannot be read are skipped and listed in `skippedLines` (a bad line must not hide the good ones, as in
/// OpenSSH).
public struct KnownHosts: Sendable {
    /// One key line.
    public struct Entry: Sendable, Hashable {
        /// OpenSSH's line marker: `@revoked` keys are refused even where another line would accept them.
        public enum Marker: Sendable, Hashable {
            case none
            case revoked
        }

        /// Which hosts the line is for, as written or hashed (`HashKnownHosts`).
        public enum Hosts: Sendable, Hashable {
            /// Comma-separated patterns, lowercased.
            case patterns([String])
            /// `|1|salt|hash`: HMAC-SHA1 of the host name, keyed with the salt.
            case hashed(salt: [UInt8], hash: [UInt8])
        }

        public var marker: Marker
        public var hosts: Hosts
        public var key: HostKey
        /// 1-based line number in the file.
        public var line: Int

        /// Whether this line names `name` (a host, or `[host]:port`, lowercased).
        public func matches(name: String) -> Bool {
            switch hosts {
            case let .hashed(salt, hash):
                let code = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
                return Array(code) == hash
            case let .patterns(patterns):
                var matched = false
                for pattern in patterns {
                    if pattern.hasPrefix("!") {
                        if Self.glob(Array(pattern.utf8.dropFirst()), Array(name.utf8)) { return false }
                    } else if Self.glob(Array(pattern.utf8), Array(name.utf8)) {
                        matched = true
                    }
                }
                return matched
            }
        }

        /// `*` and `?` wildcard match (OpenSSH `match_pattern`), iterative so hostile patterns cannot blow the stack.
        static func glob(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
            var p = 0, t = 0
            var starP = -1, starT = 0
            while t < text.count {
                if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                    p += 1; t += 1
                } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                    starP = p; starT = t; p += 1
                } else if starP >= 0 {
                    p = starP + 1; starT += 1; t = starT
                } else {
                    return false
                }
            }
            while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
            return p == pattern.count
        }
    }

    /// What the file says about a key a server offered.
    public enum Verdict: Sendable, Hashable {
        /// The key is pinned for this host (the matching line).
        case trusted(Entry)
        /// The host has no line at all.
        case unknown
        /// The host is known, but with other keys (the lines that name it).
        case mismatch(expected: [Entry])
        /// The key is marked `@revoked`.
        case revoked(Entry)
    }

    /// The file's path, for messages.
    public let path: String
    public let entries: [Entry]
    /// Lines that were not understood: line number and why.
    public let skippedLines: [(line: Int, reason: String)]

    /// Reads and parses a known_hosts file.
    public static func load(path: String) throws(SFTPError) -> KnownHosts {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SFTPError(.knownHostsUnreadable, operation: "read known_hosts", path: path,
                            message: "the known_hosts file does not exist or cannot be read; ddexd only connects to "
                                + "hosts whose key is pinned there (add the line `ssh-keyscan -p PORT HOST` prints, "
                                + "after checking its fingerprint with the DSP)")
        }
        return KnownHosts(path: path, contents: String(decoding: data, as: UTF8.self))
    }

    /// Parses known_hosts text as described above (`path` is only for messages); never fails: lines that cannot be
    /// read end up in `skippedLines` with their number and why.
    public init(path: String, contents: String) {
        self.path = path
        var entries: [Entry] = []
        var skipped: [(Int, String)] = []
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            switch Self.parse(line: line, number: number) {
            case let .success(entry?): entries.append(entry)
            case .success(nil): continue
            case let .failure(reason): skipped.append((number, reason.text))
            }
        }
        self.entries = entries
        self.skippedLines = skipped
    }

    /// The name known_hosts uses for a host and port: `host` on port 22, else `[host]:port`; lowercased.
    public static func lookupName(host: String, port: Int) -> String {
        let name = host.lowercased()
        return port == 22 ? name : "[\(name)]:\(port)"
    }

    /// The pinned (not revoked) keys for a host and port.
    public func pinnedKeys(host: String, port: Int) -> [Entry] {
        let name = Self.lookupName(host: host, port: port)
        return entries.filter { $0.marker == .none && $0.matches(name: name) }
    }

    /// Checks a key a server at `host`:`port` offered.
    public func verify(_ key: HostKey, host: String, port: Int) -> Verdict {
        let name = Self.lookupName(host: host, port: port)
        if let revoked = entries.first(where: { $0.marker == .revoked && $0.key == key }) {
            return .revoked(revoked)
        }
        let pinned = entries.filter { $0.marker == .none && $0.matches(name: name) }
        if let match = pinned.first(where: { $0.key.fingerprint == key.fingerprint && $0.key.type == key.type }) {
            return .trusted(match)
        }
        return pinned.isEmpty ? .unknown : .mismatch(expected: pinned)
    }

    private struct Reason: Error { let text: String }

    private static func parse(line: String, number: Int) -> Result<Entry?, Reason> {
        var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        var marker = Entry.Marker.none
        if let first = fields.first, first.hasPrefix("@") {
            switch first {
            case "@revoked": marker = .revoked
            case "@cert-authority": return .success(nil)
            default: return .failure(Reason(text: "unknown marker \(first)"))
            }
            fields.removeFirst()
        }
        guard fields.count >= 3 else {
            return .failure(Reason(text: "expected `hosts key-type base64-key`"))
        }
        let hosts: Entry.Hosts
        if fields[0].hasPrefix("|1|") {
            let parts = fields[0].split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 4, let salt = Data(base64Encoded: String(parts[2])),
                  let hash = Data(base64Encoded: String(parts[3])), hash.count == 20
            else {
                return .failure(Reason(text: "malformed hashed host name"))
            }
            hosts = .hashed(salt: Array(salt), hash: Array(hash))
        } else if fields[0].hasPrefix("|") {
            return .failure(Reason(text: "unsupported host name hash format"))
        } else {
            hosts = .patterns(fields[0].lowercased().split(separator: ",").map(String.init))
        }
        guard let blob = Data(base64Encoded: fields[2]), let key = HostKey(blob: Array(blob)) else {
            return .failure(Reason(text: "the key is not valid base64 SSH key data"))
        }
        guard key.type == fields[1] else {
            return .failure(Reason(text: "the key type \(fields[1]) does not match the key data (\(key.type))"))
        }
        return .success(Entry(marker: marker, hosts: hosts, key: key, line: number))
    }
}
