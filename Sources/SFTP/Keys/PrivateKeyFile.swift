import Foundation

/// The type of a client key file, read without decrypting it, so that errors can say why a key cannot work.
///
/// Only the public part is looked at (the key type in an OpenSSH-format key is stored unencrypted, and PEM files
/// name it in their armour); the file's contents never appear in messages.
public enum SSHKeyKind: String, Sendable, Hashable {
    case ed25519
    case ecdsa
    case rsa
    case dsa
    case unknown

    /// The kind of the key in `privateKeyPath` (or its `.pub` twin). Throws if the file cannot be read.
    public static func detect(privateKeyPath: String, publicKeyPath: String? = nil) throws(SFTPError) -> SSHKeyKind {
        try SSHKeyFile.inspect(privateKeyPath: privateKeyPath, publicKeyPath: publicKeyPath).kind
    }
}

/// What can be told about a private key file without decrypting it.
public struct SSHKeyFile: Sendable, Hashable {
    public var kind: SSHKeyKind
    /// Whether the private key is protected by a passphrase (`nil`: cannot tell).
    public var isEncrypted: Bool?

    public init(kind: SSHKeyKind, isEncrypted: Bool?) {
        self.kind = kind
        self.isEncrypted = isEncrypted
    }

    /// Reads the key file's armour and public part. Throws if the file cannot be read.
    public static func inspect(privateKeyPath: String, publicKeyPath: String? = nil) throws(SFTPError) -> SSHKeyFile {
        guard let handle = FileHandle(forReadingAtPath: privateKeyPath) else {
            throw SFTPError(.keyUnreadable, operation: "read private key", path: privateKeyPath,
                            message: "the private key file does not exist or cannot be read")
        }
        // Key files are a few KiB; read no more than 64 KiB so a wrong path to a huge file is harmless.
        let data = (try? handle.read(upToCount: 65536)) ?? nil
        try? handle.close()
        let text = String(decoding: data ?? Data(), as: UTF8.self)
        var file = inspect(privateKeyText: text)
        if file.kind == .unknown {
            let publicPath = publicKeyPath ?? privateKeyPath + ".pub"
            if let publicData = FileManager.default.contents(atPath: publicPath) {
                let type = String(decoding: publicData.prefix(64), as: UTF8.self).split(separator: " ").first ?? ""
                file.kind = SSHKeyKind.kind(ofKeyType: String(type))
            }
        }
        return file
    }

    static func inspect(privateKeyText text: String) -> SSHKeyFile {
        let pemEncrypted = text.contains("Proc-Type: 4,ENCRYPTED")
        if text.contains("BEGIN RSA PRIVATE KEY") { return SSHKeyFile(kind: .rsa, isEncrypted: pemEncrypted) }
        if text.contains("BEGIN EC PRIVATE KEY") { return SSHKeyFile(kind: .ecdsa, isEncrypted: pemEncrypted) }
        if text.contains("BEGIN DSA PRIVATE KEY") { return SSHKeyFile(kind: .dsa, isEncrypted: pemEncrypted) }
        if text.contains("BEGIN ENCRYPTED PRIVATE KEY") { return SSHKeyFile(kind: .unknown, isEncrypted: true) }
        if text.contains("BEGIN PRIVATE KEY") { return SSHKeyFile(kind: .unknown, isEncrypted: false) }
        guard let header = SSHKeyFile.openSSHHeader(privateKeyText: text)
        else { return SSHKeyFile(kind: .unknown, isEncrypted: nil) }
        return SSHKeyFile(kind: SSHKeyKind.kind(ofKeyType: header.publicKey.type),
                          isEncrypted: header.cipher != Array("none".utf8))
    }
}

extension SSHKeyKind {
    static func kind(ofKeyType type: String) -> SSHKeyKind {
        switch type {
        case "ssh-ed25519": return .ed25519
        case "ssh-rsa": return .rsa
        case "ssh-dss": return .dsa
        case _ where type.hasPrefix("ecdsa-sha2-"): return .ecdsa
        default: return .unknown
        }
    }

    /// Why this kind of key fails with libssh2 1.10, if it does.
    var libssh2Caveat: String? {
        switch self {
        case .rsa:
            return "RSA keys do not work with libssh2 1.10 against OpenSSH ≥ 8.8; use ed25519 or ECDSA (libssh2 1.10 "
                + "signs only with SHA-1 `ssh-rsa`, which OpenSSH refuses unless the server allows it)"
        case .dsa:
            return "DSA keys are refused by OpenSSH ≥ 7.0; use ed25519 or ECDSA"
        default:
            return nil
        }
    }
}
