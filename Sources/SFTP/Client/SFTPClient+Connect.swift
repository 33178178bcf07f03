import CLibSSH2
import Glibc

extension SFTPClient {
    struct Established {
        let connection: Connection
        let hostKey: HostKey
        let knownHostsLine: Int
    }

    /// Connect → handshake (only host-key types pinned for this host) → verify the key → authenticate → SFTP.
    static func establish(_ configuration: SFTPClientConfiguration) throws(SFTPError) -> Established {
        try LibSSH2Runtime.ensureInitialised()
        let place = KnownHosts.lookupName(host: configuration.host, port: configuration.port)
        // Local problems first: no network traffic when the trust anchor or the key is missing.
        let knownHosts = try KnownHosts.load(path: configuration.knownHostsPath)
        let keyFile = try SSHKeyFile.inspect(privateKeyPath: configuration.privateKeyPath,
                                             publicKeyPath: configuration.publicKeyPath)
        if keyFile.isEncrypted == true, (configuration.passphrase?.value ?? "").isEmpty {
            throw SFTPError(.keyUnreadable, operation: "read private key", path: configuration.privateKeyPath,
                            message: "the private key is protected by a passphrase, and none is configured")
        }

        let socket = try TCPConnector.connect(host: configuration.host, port: configuration.port,
                                              timeoutSeconds: configuration.connectTimeoutSeconds)
        guard let session = ddexd_libssh2_session_init() else {
            Glibc.close(socket)
            throw SFTPError(.connectFailed, operation: "connect", message: "libssh2 could not allocate a session",
                            isRetryable: false)
        }
        var sftp: OpaquePointer?
        var succeeded = false
        defer {
            if !succeeded {
                if let sftp { libssh2_sftp_shutdown(sftp) }
                libssh2_session_free(session)
                Glibc.close(socket)
            }
        }

        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, milliseconds(configuration.connectTimeoutSeconds))

        // Offer only the key types pinned for this host, so that a server with several host keys shows the one we
        // know (OpenSSH's ssh does the same) instead of a mismatch on another type.
        let pinned = knownHosts.pinnedKeys(host: configuration.host, port: configuration.port)
        if !pinned.isEmpty {
            let supported = supportedAlgorithms(session, LIBSSH2_METHOD_HOSTKEY)
            var preferences: [String] = []
            for algorithm in pinned.flatMap(\.key.signatureAlgorithms)
            where supported.contains(algorithm) && !preferences.contains(algorithm) {
                preferences.append(algorithm)
            }
            if !preferences.isEmpty {
                _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, preferences.joined(separator: ","))
            }
        }

        let handshake = libssh2_session_handshake(session, socket)
        if handshake != 0 {
            var error = Self.error(session: session, sftp: nil, rc: Int(handshake), operation: "handshake", path: place)
            if error.kind == .handshakeFailed, !pinned.isEmpty {
                error.message += "; only the host-key types pinned in \(knownHosts.path) were offered ("
                    + pinned.map(\.key.description).joined(separator: ", ")
                    + "): the server may have replaced its key with one of another type"
            } else if error.kind == .connectionLost {
                error.message = "the server closed the connection during the SSH handshake: \(error.message)"
            }
            throw error
        }

        let (hostKey, line) = try verifyHostKey(session: session, knownHosts: knownHosts, configuration: configuration)

        if configuration.keepaliveIntervalSeconds > 0 {
            libssh2_keepalive_config(session, 0, UInt32(configuration.keepaliveIntervalSeconds))
        }

        try authenticate(session: session, configuration: configuration, keyFile: keyFile, place: place)

        guard let channel = libssh2_sftp_init(session) else {
            var error = Self.error(session: session, sftp: nil, rc: nil, operation: "start sftp", path: place)
            if error.kind != .timeout { error.kind = .subsystemFailed }
            error.isRetryable = true
            error.message = "the server refused the sftp subsystem: \(error.message)"
            throw error
        }
        sftp = channel
        // Set-up ran under the connect timeout; from now on each network wait gets the I/O timeout.
        libssh2_session_set_timeout(session, milliseconds(configuration.ioTimeoutSeconds))
        succeeded = true
        return Established(connection: Connection(socket: socket, session: session, sftp: channel),
                           hostKey: hostKey, knownHostsLine: line)
    }

    private static func verifyHostKey(session: OpaquePointer, knownHosts: KnownHosts,
                                      configuration: SFTPClientConfiguration) throws(SFTPError) -> (HostKey, Int)
    {
        let place = KnownHosts.lookupName(host: configuration.host, port: configuration.port)
        var length = 0
        var type: Int32 = 0
        guard let raw = libssh2_session_hostkey(session, &length, &type), length > 0 else {
            throw SFTPError(.handshakeFailed, operation: "verify host key", path: place,
                            message: "the server presented no host key")
        }
        let blob = Array(UnsafeRawBufferPointer(start: raw, count: length))
        guard let offered = HostKey(blob: blob) else {
            throw SFTPError(.handshakeFailed, operation: "verify host key", path: place,
                            message: "the server's host key could not be read")
        }
        switch knownHosts.verify(offered, host: configuration.host, port: configuration.port) {
        case let .trusted(entry):
            return (offered, entry.line)
        case .unknown:
            throw SFTPError(.hostKeyUnknown, operation: "verify host key", path: place,
                            message: "\(place) is not in \(knownHosts.path); the server offered \(offered). "
                                + "Check this fingerprint with the DSP, then add the line: "
                                + "\(place) \(offered.knownHostsText)",
                            hostKey: .init(expected: [], offered: offered.fingerprint))
        case let .mismatch(expected):
            let pinned = expected.map { "\($0.key) (line \($0.line))" }.joined(separator: ", ")
            throw SFTPError(.hostKeyMismatch, operation: "verify host key", path: place,
                            message: "HOST KEY CHANGED for \(place): expected \(pinned) from \(knownHosts.path), "
                                + "but the server offered \(offered). Someone may be intercepting the connection, or "
                                + "the DSP replaced its key; confirm with the DSP before updating known_hosts. "
                                + "Nothing was sent.",
                            hostKey: .init(expected: expected.map(\.key.fingerprint), offered: offered.fingerprint))
        case let .revoked(entry):
            throw SFTPError(.hostKeyRevoked, operation: "verify host key", path: place,
                            message: "the server offered \(offered), which \(knownHosts.path) line \(entry.line) "
                                + "marks @revoked",
                            hostKey: .init(expected: [entry.key.fingerprint], offered: offered.fingerprint))
        }
    }

    private static func authenticate(session: OpaquePointer, configuration: SFTPClientConfiguration,
                                     keyFile: SSHKeyFile, place: String) throws(SFTPError)
    {
        let user = configuration.user
        // For an encrypted key, let libssh2 derive the public key from the private one: it then decrypts the key
        // before talking to the server, so a wrong passphrase shows as a key problem, not as a refused key.
        let sibling = configuration.privateKeyPath + ".pub"
        let publicKey = configuration.publicKeyPath
            ?? (keyFile.isEncrypted != true && access(sibling, R_OK) == 0 ? sibling : nil)
        // The user-auth list call also performs the "none" method; a server that lets us in without a key is odd but
        // not an error.
        let methods = libssh2_userauth_list(session, user, UInt32(user.utf8.count)).map { String(cString: $0) }
        if libssh2_userauth_authenticated(session) != 0 { return }
        if let methods, !methods.split(separator: ",").contains("publickey") {
            throw SFTPError(.authFailed, operation: "authenticate", path: place,
                            message: "the server does not accept public-key authentication for \(user) "
                                + "(it offers: \(methods))")
        }
        let rc = libssh2_userauth_publickey_fromfile_ex(
            session, user, UInt32(user.utf8.count), publicKey, configuration.privateKeyPath,
            configuration.passphrase?.value)
        guard rc != 0 else { return }

        var error = Self.error(session: session, sftp: nil, rc: Int(rc), operation: "authenticate", path: place)
        switch error.kind {
        case .authFailed:
            error.message = "the server refused the key \(configuration.privateKeyPath) for user \(user) "
                + "(\(error.message))"
        case .keyUnreadable:
            error.message = "libssh2 could not use the private key \(configuration.privateKeyPath): wrong "
                + "passphrase, unsupported format, or it does not match its public key (\(error.message))"
        default:
            break
        }
        if let caveat = keyFile.kind.libssh2Caveat, error.kind == .authFailed || error.kind == .keyUnreadable {
            error.message += ". \(caveat)"
        }
        throw error
    }

    private static func supportedAlgorithms(_ session: OpaquePointer, _ method: Int32) -> Set<String> {
        var list: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        let count = libssh2_session_supported_algs(session, method, &list)
        guard count > 0, let list else { return [] }
        defer { libssh2_free(session, list) }
        var names = Set<String>()
        for index in 0..<Int(count) {
            if let name = list[index] { names.insert(String(cString: name)) }
        }
        return names
    }

    static func milliseconds(_ seconds: Double) -> Int {
        Int(min(max(seconds, 0.001) * 1000, Double(Int32.max)))
    }
}
