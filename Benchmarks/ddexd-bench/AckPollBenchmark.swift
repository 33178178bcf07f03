import DDEXConfig
import DDEXModel
import Delivery
import Foundation
import Harness
import Logging
import Store

/// `ddexd-bench ackpoll [--deliveries N] [--deadline-hours H] [--poll-seconds S]`
///
/// SFTP round trips of acknowledgement polling with N completed deliveries (default 10,000) waiting for their
/// acknowledgement, completed evenly over the last `--deadline-hours` (default 168), over a real OpenSSH sshd
/// on 127.0.0.1 (needs root and openssh-server). Round trips are counted on the wire by a TCP proxy between
/// ddexd and sshd (a client-then-server turn each). Reports:
/// - the first pass after a start (no folder listed yet: every folder is due, as every pass was before ack
///   polling grew with age);
/// - the next pass, `--poll-seconds` (default 300) later;
/// - the average pass over a simulated day of passes (folders listed per pass × round trips per folder).
func runAckPollBenchmark(arguments: [String]) throws {
    var count = 10_000
    var deadlineHours = 168
    var pollSeconds = 300
    var args = arguments[...]
    while let arg = args.popFirst() {
        func value() throws -> Int {
            guard let v = args.popFirst().flatMap(Int.init) else { throw BenchmarkError("\(arg) needs a number") }
            return v
        }
        switch arg {
        case "--deliveries": count = max(1, try value())
        case "--deadline-hours": deadlineHours = max(1, try value())
        case "--poll-seconds": pollSeconds = max(1, try value())
        default: throw BenchmarkError("unknown argument \(arg); usage: ackpoll [--deliveries N] [--deadline-hours H] [--poll-seconds S]")
        }
    }
    let server = try SSHServer()
    let proxy = try ThrottlingProxy(targetPort: server.port, delay: 0)
    let knownHosts = server.root.appendingPathComponent("known_hosts_proxy").path
    try server.writeKnownHosts(to: knownHosts, port: proxy.port)
    let directory = try TemporaryDirectory(prefix: "ackpoll")
    let database = try StoreDatabase(path: directory.path + "/ddexd.sqlite")
    let start = Date()
    try seed(database, count: count, over: Double(deadlineHours) * 3600, now: start, dropBox: server.localPath("/upload"))
    let profile = DSPProfile(name: "dsp", recipientDPID: DPID("PADPIDA2011072101T")!, recipientName: "DSP",
                             transport: TransportSettings(kind: .sftp, host: server.host, port: proxy.port, user: server.user,
                                                          privateKey: server.clientKeyPath, knownHosts: knownHosts, remoteRoot: "/upload"),
                             ackPollSeconds: pollSeconds, ackDeadlineHours: deadlineHours)
    var logger = Logger(label: "bench")
    logger.logLevel = .critical

    func pass(at time: Date) throws -> (roundTrips: Int, seconds: Double, listed: Int) {
        let transport = try SFTPTransport(settings: profile.transport)
        try transport.connect()
        defer { transport.close() }
        proxy.resetRoundTrips()
        let clock = ContinuousClock.now
        _ = AckPoller(database: database, transport: transport, profile: profile, archiveRoot: directory.path + "/archive",
                      logger: logger, now: { time }).poll()
        return (proxy.roundTrips, seconds(since: clock), try listedCount(database, at: time.timeIntervalSince1970))
    }
    let first = try pass(at: start)
    let next = try pass(at: start.addingTimeInterval(Double(pollSeconds)))
    let perFolder = Double(first.roundTrips) / Double(max(1, first.listed))

    // A simulated day of passes, on the store only (no server): folders listed per pass.
    var lists = 0
    let passes = 86_400 / pollSeconds
    for n in 2...(passes + 1) {
        let time = start.addingTimeInterval(Double(n * pollSeconds))
        let transport = NullTransport()
        _ = AckPoller(database: database, transport: transport, profile: profile, archiveRoot: directory.path + "/archive",
                      logger: logger, now: { time }).poll()
        lists += transport.lists - (profile.ackFolder == nil ? 0 : 1)
    }
    let average = Double(lists) / Double(passes)
    print("ackpoll: \(count) completed deliveries awaiting an acknowledgement, completed over the last \(deadlineHours) h, poll every \(pollSeconds) s")
    print(String(format: "  first pass after a start (every folder due, as every pass before): %d folders, %d SFTP round trips, %.2f s",
                 first.listed, first.roundTrips, first.seconds))
    print(String(format: "  next pass %d s later: %d folders, %d SFTP round trips, %.2f s", pollSeconds, next.listed, next.roundTrips, next.seconds))
    print(String(format: "  average pass over a simulated day: %.1f folders ≈ %.0f SFTP round trips (%.1f per folder)",
                 average, average * perFolder, perFolder))
}

/// N packages, each with one completed delivery whose `acknowledgements/` folder exists (empty) on the server.
private func seed(_ database: StoreDatabase, count: Int, over seconds: Double, now: Date, dropBox: String) throws {
    try database.write { db in
        let package = try db.makeStatement(sql: "INSERT INTO packages (id, account, source, work_path, state, created_at, updated_at) VALUES (?, 'a', 's', 'w', 'built', ?, ?)")
        let delivery = try db.makeStatement(sql: """
            INSERT INTO deliveries (package_id, dsp, release_id, kind, state, batch_id, message_id, bundle_path, remote_folder,
                                    attempts, created_at, updated_at)
            VALUES (?, 'dsp', ?, 'new-release', 'completed', ?, ?, 'b', ?, 1, ?, ?)
            """)
        for n in 0..<count {
            // Evenly over the window, the newest a minute old.
            let completed = Timestamp.format(now.addingTimeInterval(-60 - seconds * Double(n) / Double(count)))
            let id = "p\(n)", batch = String(format: "B%08d", n)
            try package.execute(arguments: [id, completed, completed])
            try delivery.execute(arguments: [id, "R\(n)", batch, "M\(n)", batch, completed, completed])
            try FileManager.default.createDirectory(atPath: dropBox + "/" + batch + "/acknowledgements", withIntermediateDirectories: true)
        }
    }
}

/// Deliveries whose folder was listed at `time`.
private func listedCount(_ database: StoreDatabase, at time: Double) throws -> Int {
    try database.read { db in
        try Int.fetchOne(db, sql: "SELECT count(*) FROM deliveries WHERE ack_checked_at = ?", arguments: [time]) ?? 0
    }
}

/// A server with empty folders, counting the folders listed.
private final class NullTransport: DeliveryTransport, @unchecked Sendable {
    var lists = 0
    func connect() throws {}
    func close() {}
    func makeDirectories(_ path: String) throws {}
    func fileSize(_ path: String) throws -> UInt64? { nil }
    func list(_ directory: String) throws -> [RemoteEntry] {
        lists += 1
        return []
    }
    func upload(_ localPath: String, to remotePath: String, resumeFrom offset: UInt64) throws {}
    func download(_ remotePath: String, to localPath: String, resumeFrom offset: UInt64) throws {}
    func rename(_ source: String, to destination: String) throws {}
    func remove(_ path: String) throws {}
}
