import Foundation

extension SSHKeyFile {
    /// The `SHA256:` fingerprint of the client key (as `ssh-keygen -lf` prints it), read from the public key file,
    /// else from the public part an OpenSSH private key keeps unencrypted; nil when neither can be read. Errors name
    /// the key by this fingerprint, so an operator can tell the DSP which key to authorise without showing the key.
    public static func publicKeyFingerprint(privateKeyPath: String, publicKeyPath: String? = nil) -> String? {
        if let text = FileManager.default.contents(atPath: publicKeyPath ?? privateKeyPath + ".pub")
            .map({ String(decoding: $0.prefix(16384), as: UTF8.self) })
        {
            let fields = text.split(whereSeparator: \.isWhitespace)
            if fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])), let key = HostKey(blob: Array(blob)) {
                return key.fingerprint
            }
        }
        guard let data = FileManager.default.contents(atPath: privateKeyPath) else { return nil }
        return openSSHHeader(privateKeyText: String(decoding: data.prefix(65536), as: UTF8.self))?.publicKey.fingerprint
    }

    /// The unencrypted head of an `OPENSSH PRIVATE KEY` file: its cipher (`none` when it is not encrypted) and the
    /// public key.
    static func openSSHHeader(privateKeyText text: String) -> (cipher: [UInt8], publicKey: HostKey)? {
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex),
              let decoded = Data(base64Encoded: String(text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }))
        else { return nil }
        // openssh-key-v1\0, cipher, kdf, kdf options, number of keys, then the first public key (unencrypted).
        var reader = SSHWireReader(Array(decoded))
        guard reader.readBytes(15) == Array("openssh-key-v1\0".utf8), let cipher = reader.readString(),
              reader.readString() != nil, reader.readString() != nil, let count = reader.readUInt32(), count >= 1,
              let blob = reader.readString(), let publicKey = HostKey(blob: blob)
        else { return nil }
        return (cipher, publicKey)
    }
}
