import CLibSSH2
import Glibc

extension SFTPClient {
    struct Established {
        let connection: Connection
        let hostKey: HostKey
        let knownHostsLine: Int
        let server: SFTPServerProfile
    }

    /// Connect → handshake (only host-key types pinned for this host) → verify the key → authenticate → SFTP.
    static func establish(_ configuration: SFTPClientConfiguration) throws(SFTPError) -> Established {
        try LibSSH2Runtime.ensureInitialised()
        let place = KnownHosts.lookupName(host: configuration.host, port: configuration.port)
        // Local problems first: no network traffic when the trust anchor or the key is missing.
        let (knownHosts, keyFile) = try loadTrustAndKey(configuration)

        let socket = try TCPConnector.connect(host: configuration.host, port: configuration.port,
                                              timeoutSeconds: configuration.connectTimeoutSeconds)
        guard let session = ddexd_libssh2_session_init() else {
            Glibc.close(socket)
            throw SFTPError(.connectFailed, operation: "connect", message: "libssh2 could not allocate a session",
                            isRetryable: false)
        }
        var channel: OpaquePointer?
        var succeeded = false
        defer {
            if !succeeded {
                // Shut the socket first so that libssh2's goodbyes fail at once instead of waiting on a dead peer.
                shutdown(socket, Int32(SHUT_RDWR))
                libssh2_session_set_blocking(session, 1)
                if let channel { libssh2_channel_free(channel) }
                libssh2_session_free(session)
                Glibc.close(socket)
            }
        }

        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, milliseconds(configuration.connectTimeoutSeconds))
        preferAlgorithms(session)

        let pinned = knownHosts.pinnedKeys(host: configuration.host, port: configuration.port)
        offerHostKeyTypes(of: pinned, session: session)
        try handshake(session: session, socket: socket, pinned: pinned, knownHosts: knownHosts, place: place)

        let (hostKey, line) = try verifyHostKey(session: session, knownHosts: knownHosts, configuration: configuration)

        try authenticate(session: session, configuration: configuration, keyFile: keyFile, place: place)

        // Keepalives only once logged in: libssh2 1.10 would otherwise send a GLOBAL_REQUEST in the middle of the
        // login, which RFC 4252 servers may refuse (asyncssh: "Invalid request before authentication was complete";
        // Go x/crypto/ssh: "unexpected message type 80").
        if configuration.keepaliveIntervalSeconds > 0 {
            libssh2_keepalive_config(session, 0, UInt32(configuration.keepaliveIntervalSeconds))
        }

        let started = try startSFTP(session: session, socket: socket, configuration: configuration, place: place,
                                    channel: &channel)
        succeeded = true
        return Established(connection: Connection(socket: socket, session: session, sftp: started.channel),
                           hostKey: hostKey, knownHostsLine: line,
                           server: started.profile(hostKey: hostKey, session: session))
    }

    /// The known_hosts file and the private key, read before any network traffic; an encrypted key without a
    /// configured passphrase is `keyUnreadable` here rather than a refused login later.
    private static func loadTrustAndKey(_ configuration: SFTPClientConfiguration) throws(SFTPError) -> (KnownHosts, SSHKeyFile) {
        let knownHosts = try KnownHosts.load(path: configuration.knownHostsPath)
        let keyFile = try SSHKeyFile.inspect(privateKeyPath: configuration.privateKeyPath,
                                             publicKeyPath: configuration.publicKeyPath)
        if keyFile.isEncrypted == true, (configuration.passphrase?.value ?? "").isEmpty {
            throw SFTPError(.keyUnreadable, operation: "read private key", path: configuration.privateKeyPath,
                            message: "the private key is protected by a passphrase, and none is configured")
        }
        return (knownHosts, keyFile)
    }

    /// Offer only the key types pinned for this host, so that a server with several host keys shows the one we
    /// know (OpenSSH's ssh does the same) instead of a mismatch on another type. Nothing pinned: libssh2's defaults.
    private static func offerHostKeyTypes(of pinned: [KnownHosts.Entry], session: OpaquePointer) {
        guard !pinned.isEmpty else { return }
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

    /// The SSH handshake; a failure says when only the pinned key types were offered, or that the server hung up.
    private static func handshake(session: OpaquePointer, socket: Int32, pinned: [KnownHosts.Entry],
                                  knownHosts: KnownHosts, place: String) throws(SFTPError)
    {
        let handshake = libssh2_session_handshake(session, socket)
        guard handshake != 0 else { return }
        var error = Self.error(session: session, rc: Int(handshake), operation: "handshake", path: place)
        if error.kind == .handshakeFailed, !pinned.isEmpty {
            error.message += "; only the host-key types pinned in \(knownHosts.path) were offered ("
                + pinned.map(\.key.description).joined(separator: ", ")
                + "): the server may have replaced its key with one of another type"
        } else if error.kind == .connectionLost {
            error.message = "the server closed the connection during the SSH handshake: \(error.message)"
        }
        throw error
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
        if methods == nil, libssh2_session_last_errno(session) != 0 {
            throw loginError(session: session, rc: libssh2_session_last_errno(session),
                             step: "asking the server which login methods it accepts", place: place)
        }
        if let methods, !methods.split(separator: ",").contains("publickey") {
            throw SFTPError(.authFailed, operation: "authenticate", path: place,
                            message: "the server does not accept public-key authentication for \(user) "
                                + "(it offers: \(methods))")
        }
        let rc = libssh2_userauth_publickey_fromfile_ex(
            session, user, UInt32(user.utf8.count), publicKey, configuration.privateKeyPath,
            configuration.passphrase?.value)
        guard rc != 0 else { return }

        var error = loginError(session: session, rc: rc, step: "authenticating with the public key", place: place)
        let fingerprint = SSHKeyFile.publicKeyFingerprint(privateKeyPath: configuration.privateKeyPath,
                                                          publicKeyPath: configuration.publicKeyPath)
        let key = configuration.privateKeyPath + (fingerprint.map { " (\($0))" } ?? "")
        switch error.kind {
        case .authFailed:
            error.message = "the server refused the key \(key) for user \(user) (\(error.message))"
        case .keyUnreadable:
            error.message = "libssh2 could not use the private key \(key): wrong passphrase, unsupported "
                + "format, or it does not match its public key (\(error.message))"
        default:
            break
        }
        if let caveat = keyFile.kind.libssh2Caveat, error.kind == .authFailed || error.kind == .keyUnreadable {
            error.message += ". \(caveat)"
        }
        throw error
    }

    /// The error for a failed login step. libssh2 1.10 reports a server that broke off the exchange (an unexpected
    /// message, a disconnect, no answer) with the same code as a refused signature (-19,
    /// `LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED`); only its message tells them apart. A broken-off step is a retryable
    /// protocol error that names the step, never "the server refused the key".
    static func loginError(session: OpaquePointer, rc: Int32, step: String, place: String) -> SFTPError {
        var error = Self.error(session: session, rc: Int(rc), operation: "authenticate", path: place)
        let said = lastErrorMessage(session)
        let refused = rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED
            || (rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED && said.hasPrefix("Invalid signature"))
        if error.kind == .authFailed, !refused {
            error.kind = .protocolError
            error.isRetryable = true
        }
        if error.kind != .authFailed && error.kind != .keyUnreadable {
            error.message = "the server broke off the login while \(step); this is not a refused key "
                + "(\(error.message))"
        }
        return error
    }

    static func supportedAlgorithms(_ session: OpaquePointer, _ method: Int32) -> Set<String> {
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
