import Delivery
import Foundation
import Harness
import SFTP

/// Puts one package of files on a local OpenSSH sshd the way a delivery does (folders, each file through its
/// temporary name, resumable, checked, linked without overwriting, then every size verified) with ddexd's SFTP
/// transport — one session, then the files spread over several sessions — and with OpenSSH's `sftp -b` in the same
/// run, over loopback and through a proxy that delays each direction by half a round trip (a DSP far away).
/// Prints throughputs, ratios and client CPU per GiB.
///
/// `ddexd-bench sftp [--link both|loopback|delayed] [--files N] [--loopback-size 1G] [--delayed-size 256M]
///                   [--rtt MS] [--sessions N] [--rounds R] [--tools all|ddexd] [--server openssh|proftpd|asyncssh]`
/// Defaults: both links, 8 files, 1 GiB over loopback, 256 MiB (8 × 32 MiB) through a 50 ms proxy, 4 sessions,
/// 1 round, OpenSSH's sshd. Needs root and openssh-server (or proftpd-core + proftpd-mod-crypto, python3-asyncssh:
/// the same launchers as the tests; only sshd's CPU is measured).
/// Targets: loopback one session ≥ 0.95 × sftp; 50 ms one session ≥ 1.0 ×, four sessions ≥ 2.0 ×.
func runSFTPBenchmark(arguments: [String]) throws {
    let options = try SFTPBenchmarkOptions(arguments)
    let server: any DropBoxServer = switch options.server {
    case "proftpd": try ProFTPDServer(extraConfiguration: ["AllowOverwrite on"])
    case "asyncssh": try AsyncSSHServer()
    default: try SSHServer()
    }
    let work = try TemporaryDirectory(prefix: "ddexd-sftp-bench")
    print("SFTP benchmark against \(server.software) on 127.0.0.1; libssh2 \(SFTPClient.libssh2Version); "
        + "\(options.rounds) round(s), best wall time")
    if options.links.contains("loopback") {
        try runLink(name: "loopback", totalBytes: options.loopbackBytes, rtt: nil, options: options, server: server, work: work,
                    targets: (single: 0.95, parallel: nil))
    }
    if options.links.contains("delayed") {
        try runLink(name: "\(Int(options.rttMilliseconds)) ms RTT (delay proxy)", totalBytes: options.delayedBytes,
                    rtt: options.rttMilliseconds, options: options, server: server, work: work,
                    targets: (single: 1.0, parallel: 2.0))
    }
}

private func runLink(name: String, totalBytes: Int, rtt: Double?, options: SFTPBenchmarkOptions, server: any DropBoxServer,
                     work: TemporaryDirectory, targets: (single: Double, parallel: Double?)) throws
{
    let fileSize = totalBytes / options.files
    var files: [String] = []
    for index in 0..<options.files {
        let path = work.url.appendingPathComponent("\(fileSize)-resource_\(index).flac").path
        if (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue != fileSize {
            try SSHTools.writeRandomFile(at: path, size: fileSize, seed: UInt64(index + 1))
        }
        files.append(path)
    }
    let proxy = try rtt.map { try DelayProxy(targetPort: server.port, roundTripMilliseconds: $0) }
    let port = proxy?.port ?? server.port
    let knownHosts = work.url.appendingPathComponent("known_hosts_\(port)").path
    try pinHostKey(of: server, port: port, to: knownHosts)
    let configuration = SFTPClientConfiguration(host: server.host, port: port, user: server.user,
                                                privateKeyPath: server.clientKeyPath, knownHostsPath: knownHosts)
    let total = Double(fileSize * options.files)
    print("\n== \(name): \(options.files) files × \(fileSize) bytes = \(String(format: "%.0f", total / 1_048_576)) MiB")

    var samples: [String: [Sample]] = [:]
    let tools = ["ddexd, 1 session", "ddexd, \(options.sessions) sessions (files spread over them)",
                 "OpenSSH sftp, default algorithms", "OpenSSH sftp, aes128-ctr + hmac-sha2-256"]
    for round in 0..<options.rounds {
        for (index, tool) in tools.enumerated() where options.tools == "all" || index < 2 {
            let folder = "r\(round)-t\(index)"
            try makeFolder(server.uploadPath + "/" + folder, on: server)
            let sample = try measure(server, proxy: proxy) {
                switch index {
                case 0: try deliver(files, root: server.uploadPath, folder: folder, sessions: 1, configuration: configuration)
                case 1: try deliver(files, root: server.uploadPath, folder: folder, sessions: options.sessions,
                                    configuration: configuration)
                default: try runOpenSSH(files, folder: server.uploadPath + "/" + folder, server: server, port: port,
                                        knownHosts: knownHosts, work: work, sameAlgorithms: index == 3)
                }
            }
            for file in files {
                let remote = server.localPath(server.uploadPath + "/\(folder)/batch/" + (file as NSString).lastPathComponent)
                let size = (try FileManager.default.attributesOfItem(atPath: remote)[.size] as? NSNumber)?.intValue
                guard size == fileSize else { throw HarnessError("\(tool): \(remote) has \(size ?? -1) bytes, expected \(fileSize)") }
            }
            try? FileManager.default.removeItem(atPath: server.localPath(server.uploadPath + "/" + folder))
            samples[tool, default: []].append(sample)
        }
    }
    print("tool".padding(toLength: 50, withPad: " ", startingAt: 0)
        + "    wall       rate  client CPU  CPU s/GiB  sshd CPU")
    var rates: [Double] = []
    for tool in tools {
        let all = samples[tool] ?? []
        guard let best = all.min(by: { $0.seconds < $1.seconds }) else { continue }
        let rate = total / best.seconds / 1_048_576
        rates.append(rate)
        print(tool.padding(toLength: 50, withPad: " ", startingAt: 0)
            + String(format: "%7.2f s %7.1f MiB/s %8.2f s %9.2f %8.2f s", best.seconds, rate, best.clientCPU,
                     best.clientCPU / (total / 1_073_741_824), best.serverCPU)
            + (all.count > 1 ? "  (walls: " + all.map { String(format: "%.2f", $0.seconds) }.joined(separator: ", ") + ")" : ""))
    }
    guard rates.count == 4 else { return }
    print(String(format: "ratio 1 session / sftp:        %.2f× (target ≥ %.2f×); vs sftp with libssh2's algorithms %.2f×",
                 rates[0] / rates[2], targets.single, rates[0] / rates[3]))
    print(String(format: "ratio %d sessions / sftp:       %.2f×%@; vs sftp with libssh2's algorithms %.2f×",
                 options.sessions, rates[1] / rates[2], targets.parallel.map { String(format: " (target ≥ %.2f×)", $0) } ?? "",
                 rates[1] / rates[3]))
    proxy?.stop()
}

/// Pins the server's host key for `port` (the server's own, or the delay proxy's).
private func pinHostKey(of server: any DropBoxServer, port: Int, to path: String) throws {
    let pinned = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
    guard let line = pinned.split(separator: "\n").first, let space = line.firstIndex(of: " ") else {
        throw HarnessError("\(server.knownHostsPath) pins no key")
    }
    try "[\(server.host)]:\(port)\(line[space...])\n".write(toFile: path, atomically: true, encoding: .utf8)
}

/// A folder in the drop box owned like the upload folder (the server's login user).
private func makeFolder(_ remotePath: String, on server: any DropBoxServer) throws {
    let path = server.localPath(remotePath)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    var owner = stat()
    if stat(server.localPath(server.uploadPath), &owner) == 0 { chown(path, owner.st_uid, owner.st_gid) }
}

private struct Sample {
    var seconds: Double
    var clientCPU: Double
    var serverCPU: Double
}

/// Wall time, the client's CPU (this process, or sftp and its ssh; without the delay proxy's threads) and sshd's.
private func measure(_ server: any DropBoxServer, proxy: DelayProxy?, _ body: () throws -> Void) throws -> Sample {
    let sshd = server as? SSHServer
    let serverBefore = sshd?.cpuSeconds ?? 0, proxyBefore = proxy?.cpuSeconds ?? 0
    let clientBefore = cpuSeconds() + childCPUSeconds()
    let start = ContinuousClock.now
    try body()
    let wall = seconds(since: start)
    sshd?.waitForSessionsToEnd()
    proxy?.waitUntilIdle()
    let proxyCPU = (proxy?.cpuSeconds ?? 0) - proxyBefore
    return Sample(seconds: wall, clientCPU: cpuSeconds() + childCPUSeconds() - clientBefore - proxyCPU,
                  serverCPU: (sshd?.cpuSeconds ?? 0) - serverBefore)
}

/// What a delivery does with the files, through `SFTPTransport`: the folder in one round trip, every file placed
/// (pipelined on its session), every size verified. With several sessions the files are dealt out over them, one
/// thread per session (libssh2 sessions are never shared).
private func deliver(_ files: [String], root: String, folder: String, sessions: Int,
                     configuration: SFTPClientConfiguration) throws
{
    let placements = files.map { path -> FilePlacement in
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value ?? 0
        return FilePlacement(localPath: path, remotePath: "batch/" + (path as NSString).lastPathComponent, size: size)
    }
    let groups = (0..<min(sessions, files.count)).map { index in
        stride(from: index, to: placements.count, by: sessions).map { placements[$0] }
    }
    let failure = FirstError()
    let done = DispatchGroup()
    for group in groups {
        done.enter()
        let thread = Thread {
            defer { done.leave() }
            do {
                let transport = SFTPTransport(configuration: configuration, remoteRoot: root + "/" + folder)
                defer { transport.close() }
                try transport.makeDirectories(["batch"])
                try transport.place(group) { _ in }
                let sizes = try transport.fileSizes(group.map(\.remotePath))
                guard sizes == group.map({ Optional($0.size) }) else { throw HarnessError("sizes differ: \(sizes)") }
            } catch {
                failure.record(error)
            }
        }
        thread.start()
    }
    done.wait()
    if let error = failure.error { throw error }
}

private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: (any Error)?
    func record(_ error: any Error) { lock.withLock { if self.error == nil { self.error = error } } }
}

/// `sftp -b batch` with the harness's key and known_hosts, strict host-key checking, like an operator would run it.
private func runOpenSSH(_ files: [String], folder: String, server: any DropBoxServer, port: Int, knownHosts: String,
                        work: TemporaryDirectory, sameAlgorithms: Bool) throws
{
    let batch = (["mkdir \(folder)/batch"] + files.map { "put \($0) \(folder)/batch/\(($0 as NSString).lastPathComponent)" })
        .joined(separator: "\n") + "\n"
    let batchFile = try work.write(batch, to: "batch.txt")
    var arguments = ["-q", "-b", batchFile.path, "-i", server.clientKeyPath, "-P", String(port),
                     "-o", "UserKnownHostsFile=\(knownHosts)", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"]
    if sameAlgorithms { arguments += ["-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha2-256"] }
    arguments.append("\(server.user)@\(server.host)")
    let result = try SSHProcess.run("/usr/bin/sftp", arguments)
    guard result.status == 0 else { throw HarnessError("sftp failed with \(result.status): \(result.stderr)") }
}

private struct SFTPBenchmarkOptions {
    var links: Set<String> = ["loopback", "delayed"]
    var files = 8
    var loopbackBytes = 1 << 30
    var delayedBytes = 256 << 20
    var rttMilliseconds = 50.0
    var sessions = 4
    var rounds = 1
    /// Which tools to run: `all`, or `ddexd` alone (to profile the client with perf).
    var tools = "all"
    var server = "openssh"

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard let value = iterator.next() else { throw HarnessError("\(argument) needs a value") }
            switch argument {
            case "--link": links = value == "both" ? ["loopback", "delayed"] : [value]
            case "--files": files = try Self.count(value, argument)
            case "--loopback-size": loopbackBytes = try Self.bytes(value)
            case "--delayed-size": delayedBytes = try Self.bytes(value)
            case "--rtt": rttMilliseconds = Double(try Self.count(value, argument))
            case "--sessions": sessions = try Self.count(value, argument)
            case "--rounds": rounds = try Self.count(value, argument)
            case "--tools": tools = value
            case "--server": server = value
            default:
                throw HarnessError("unknown option \(argument); use --link both|loopback|delayed --files N "
                    + "--loopback-size 1G --delayed-size 256M --rtt MS --sessions N --rounds R --tools all|ddexd --server openssh|proftpd|asyncssh")
            }
        }
        guard links.isSubset(of: ["loopback", "delayed"]) else { throw HarnessError("--link is both, loopback or delayed") }
    }

    static func count(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw HarnessError("\(name) needs a positive number") }
        return value
    }

    static func bytes(_ text: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = text.uppercased().last, let unit = units[last], let value = Int(text.dropLast()), value > 0 {
            return value * unit
        }
        guard let value = Int(text), value > 0 else { throw HarnessError("\(text) is not a size (e.g. 512M, 1G)") }
        return value
    }
}
