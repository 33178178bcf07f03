import Crypto
import Foundation

/// A public host key: its SSH type name and its wire-format blob.
public struct HostKey: Sendable, Hashable, CustomStringConvertible {
    /// The SSH key type, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`.
    public var type: String
    /// The key in SSH wire format (what a known_hosts line holds in base64).
    public var blob: [UInt8]

    public init(type: String, blob: [UInt8]) {
        self.type = type
        self.blob = blob
    }

    /// The key as a server sends it: the type is read from the blob itself.
    public init?(blob: [UInt8]) {
        var reader = SSHWireReader(blob)
        guard let name = reader.readString(), let type = String(bytes: name, encoding: .utf8), !type.isEmpty else {
            return nil
        }
        self.init(type: type, blob: blob)
    }

    /// `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it.
    public var fingerprint: String {
        let digest = SHA256.hash(data: blob)
        let base64 = Data(digest).base64EncodedString()
        return "SHA256:" + base64.replacingOccurrences(of: "=", with: "")
    }

    /// The key as it appears after the host field of a known_hosts line.
    public var knownHostsText: String { "\(type) \(Data(blob).base64EncodedString())" }

    public var description: String { "\(type) \(fingerprint)" }

    /// Host-key algorithms that verify a key of this type, strongest first.
    var signatureAlgorithms: [String] {
        type == "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type]
    }
}

/// Reads SSH wire-format values (RFC 4251 §5) without trusting the lengths.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func readUInt32() -> UInt32? {
        guard bytes.count - offset >= 4 else { return nil }
        let value = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    mutating func readString() -> [UInt8]? {
        guard let length = readUInt32(), Int(length) <= bytes.count - offset else { return nil }
        let value = Array(bytes[offset..<offset + Int(length)])
        offset += Int(length)
        return value
    }

    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
}
