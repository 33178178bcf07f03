import CLibSSH2
import Glibc

extension SFTPClient {
    /// The SFTP channel just started, with what was learnt while starting it.
    struct Started {
        let channel: SFTPChannel
        let limits: SFTPServerProfile.Limits?

        func profile(hostKey: HostKey, session: OpaquePointer) -> SFTPServerProfile {
            func method(_ type: Int32) -> String {
                libssh2_session_methods(session, type).map { String(cString: $0) } ?? "?"
            }
            var window: UInt = 0
            let available = libssh2_channel_window_write_ex(channel.channel, &window)
            let extensions = channel.extensions.map {
                SFTPServerProfile.Extension(name: $0.name, data: String(decoding: $0.data, as: UTF8.self))
            }
            let banner = libssh2_session_banner_get(session).map { String(cString: $0) } ?? ""
            return SFTPServerProfile(
                banner: banner, hostKey: hostKey.description,
                algorithms: .init(keyExchange: method(LIBSSH2_METHOD_KEX), hostKey: method(LIBSSH2_METHOD_HOSTKEY),
                                  cipherClientToServer: method(LIBSSH2_METHOD_CRYPT_CS),
                                  cipherServerToClient: method(LIBSSH2_METHOD_CRYPT_SC),
                                  macClientToServer: method(LIBSSH2_METHOD_MAC_CS),
                                  macServerToClient: method(LIBSSH2_METHOD_MAC_SC),
                                  compressionClientToServer: method(LIBSSH2_METHOD_COMP_CS),
                                  compressionServerToClient: method(LIBSSH2_METHOD_COMP_SC)),
                sftpVersion: channel.version ?? 0, extensions: extensions, limits: limits,
                window: UInt64(max(window, available)),
                writeRequestSize: SFTPClient.requestSize(limits?.maximumWrite),
                readRequestSize: SFTPClient.requestSize(limits?.maximumRead),
                placement: SFTPClient.placement(extensions: extensions, banner: banner))
        }
    }

    /// Our receiving window on the SFTP channel: what the server may send before ddexd reads it (downloads).
    static let receiveWindow: UInt32 = 8 << 20
    /// The largest write or read request ddexd makes, whatever a server allows (OpenSSH's own `sftp` uses 255 KiB).
    static let largestRequestSize = 255 * 1024
    /// What every server must take (draft-ietf-secsh-filexfer-02 §3: packets of at least 34,000 bytes).
    static let smallestRequestSize = 32 * 1024

    static func requestSize(_ limit: UInt64?) -> Int {
        guard let limit, limit > 0 else { return smallestRequestSize }
        return Int(min(limit, UInt64(largestRequestSize)))
    }

    /// Opens a session channel, starts the `sftp` subsystem, exchanges versions and asks for the server's limits.
    static func startSFTP(session: OpaquePointer, socket: Int32, configuration: SFTPClientConfiguration,
                          place: String, channel: inout OpaquePointer?) throws(SFTPError) -> Started
    {
        func failed(_ what: String) -> SFTPError {
            var error = Self.error(session: session, rc: nil, operation: "start sftp", path: place)
            if error.kind != .timeout { error.kind = .subsystemFailed }
            error.isRetryable = true
            error.message = "\(what): \(error.message)"
            return error
        }
        guard let opened = libssh2_channel_open_ex(session, "session", 7, receiveWindow,
                                                   UInt32(LIBSSH2_CHANNEL_PACKET_DEFAULT), nil, 0)
        else { throw failed("the server refused a session channel") }
        channel = opened
        guard libssh2_channel_process_startup(opened, "subsystem", 9, "sftp", 4) == 0 else {
            throw failed("the server refused the sftp subsystem")
        }
        // From here on the channel is driven without blocking: requests and replies overlap.
        libssh2_session_set_blocking(session, 0)
        let sftp = SFTPChannel(session: session, channel: opened, socket: socket,
                               ioTimeoutSeconds: configuration.connectTimeoutSeconds,
                               largestRequest: largestRequestSize + 1024)
        do {
            try sftp.start()
        } catch {
            var error = error
            error.operation = "start sftp"
            error.path = place
            error.message = "the SFTP version exchange failed: \(error.message)"
            throw error
        }
        let limits = sftp.extensions.contains { $0.name == "limits@openssh.com" } ? try askLimits(sftp) : nil
        // Set-up ran under the connect timeout; from now on each network wait gets the I/O timeout.
        sftp.ioTimeoutSeconds = configuration.ioTimeoutSeconds
        libssh2_session_set_timeout(session, milliseconds(configuration.ioTimeoutSeconds))
        return Started(channel: sftp, limits: limits)
    }

    private static func askLimits(_ sftp: SFTPChannel) throws(SFTPError) -> SFTPServerProfile.Limits? {
        let name = "limits@openssh.com"
        let id = try sftp.send(SFTPMessage.extended, payload: 4 + name.utf8.count) { $0.string(name) }
        guard case let .extended(data) = try sftp.reply(id), data.count >= 32 else { return nil }
        func field(_ index: Int) -> UInt64 { data[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        return .init(maximumPacket: field(0), maximumRead: field(1), maximumWrite: field(2),
                     maximumOpenHandles: field(3))
    }

    /// How this server gets files under their final names without replacing one: a hard link where offered, SFTP v3
    /// rename where the server is known to refuse an existing target, else a rename after a check.
    static func placement(extensions: [SFTPServerProfile.Extension], banner: String) -> SFTPServerProfile.Placement {
        if extensions.contains(where: { $0.name == "hardlink@openssh.com" }) { return .hardlink }
        return banner.contains("OpenSSH") ? .rename : .checkedRename
    }

    /// Algorithms as secure as OpenSSH's defaults and no weaker, fastest first (aes128-ctr before the larger keys:
    /// libssh2 1.10 encrypts one AES block per call, so fewer rounds is what shows); libssh2 1.10 has no GCM and no
    /// chacha20-poly1305. A server offering only weaker algorithms (SHA-1 key exchange, CBC) is refused, as OpenSSH
    /// refuses it.
    static func preferAlgorithms(_ session: OpaquePointer) {
        let preferences: [(Int32, [String])] = [
            (LIBSSH2_METHOD_KEX, ["curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
                                  "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
                                  "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
                                  "diffie-hellman-group14-sha256"]),
            (LIBSSH2_METHOD_CRYPT_CS, ["aes128-ctr", "aes192-ctr", "aes256-ctr"]),
            (LIBSSH2_METHOD_CRYPT_SC, ["aes128-ctr", "aes192-ctr", "aes256-ctr"]),
            (LIBSSH2_METHOD_MAC_CS, ["hmac-sha2-256", "hmac-sha2-512", "hmac-sha1"]),
            (LIBSSH2_METHOD_MAC_SC, ["hmac-sha2-256", "hmac-sha2-512", "hmac-sha1"]),
        ]
        for (method, names) in preferences {
            let supported = supportedAlgorithms(session, method)
            let usable = names.filter(supported.contains)
            if !usable.isEmpty { _ = libssh2_session_method_pref(session, method, usable.joined(separator: ",")) }
        }
    }
}
