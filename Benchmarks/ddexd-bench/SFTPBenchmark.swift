import Foundation
import Harness
import SFTP

/// Uploads a bundle of files to a local OpenSSH sshd with ddexd's SFTP client — one session, then several sessions
/// on separate threads — and with OpenSSH's `sftp -b` in the same run, and prints throughputs and ratios.
///
/// `ddexd-bench sftp [--files N] [--size BYTES|512M|1G] [--parallel P] [--chunk BYTES] [--rounds R]`
/// Defaults: 8 files, 1 GiB in total, 2 parallel sessions, 1,920,000-byte writes, 1 round. Needs root and
/// openssh-server (the sshd test harness). Targets: one session ≥ 1.0 × sftp, parallel ≥ 1.3 × sftp.
func runSFTPBenchmark(arguments: [String]) throws {
    let options = try SFTPBenchmarkOptions(arguments)
    let server = try SSHServer()
    let work = try TemporaryDirectory(prefix: "ddexd-sftp-bench")
    let fileSize = options.totalBytes / options.files
    var files: [String] = []
    for index in 0..<options.files {
        let path = work.url.appendingPathComponent(String(format: "resource_%03d.flac", index)).path
        try SSHTools.writeRandomFile(at: path, size: fileSize, seed: UInt64(index + 1))
        files.append(path)
    }
    let total = Double(fileSize * options.files)
    let configuration = SFTPClientConfiguration(
        host: server.host, port: server.port, user: server.user, privateKeyPath: server.clientKeyPath,
        knownHostsPath: server.knownHostsPath, writeChunkSize: options.chunk)

    print("SFTP benchmark: \(options.files) files × \(fileSize) bytes = \(mebibytes(total)) MiB over 127.0.0.1, "
        + "write chunk \(options.chunk) bytes, \(options.parallel) parallel sessions, \(options.rounds) round(s), "
        + "libssh2 \(SFTPClient.libssh2Version)")

    func clean(_ folder: String) throws {
        let path = server.localPath(folder)
        try? FileManager.default.removeItem(atPath: path)
        try server.makeDropBoxDirectory(String(folder.dropFirst()))
    }
    func verify(_ folder: String) throws {
        for file in files {
            let remote = server.localPath(folder + "/" + (file as NSString).lastPathComponent)
            let size = (try FileManager.default.attributesOfItem(atPath: remote)[.size] as? NSNumber)?.intValue
            guard size == fileSize else { throw HarnessError("\(remote) has \(size ?? -1) bytes, expected \(fileSize)") }
        }
    }

    var single: [Sample] = [], parallel: [Sample] = [], openSSH: [Sample] = [], openSSHSame: [Sample] = []
    func measure(_ body: () throws -> Void) throws -> Sample {
        let serverBefore = server.cpuSeconds, clientBefore = clientCPUSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        server.waitForSessionsToEnd()
        return Sample(seconds: seconds, clientCPU: clientCPUSeconds() - clientBefore,
                      serverCPU: server.cpuSeconds - serverBefore)
    }
    for _ in 0..<options.rounds {
        try clean("/upload/single")
        single.append(try measure {
            let client = try SFTPClient(configuration: configuration)
            for file in files {
                try client.upload(file, to: "/upload/single/" + (file as NSString).lastPathComponent)
            }
            client.close()
        })
        try verify("/upload/single")
        try clean("/upload/single")

        try clean("/upload/parallel")
        parallel.append(try measure {
            try uploadInParallel(files, to: "/upload/parallel", sessions: options.parallel, configuration: configuration)
        })
        try verify("/upload/parallel")
        try clean("/upload/parallel")

        try clean("/upload/openssh")
        openSSH.append(try measure { try runOpenSSH(files, to: "/upload/openssh", server: server, work: work, sameAlgorithms: false) })
        try verify("/upload/openssh")
        try clean("/upload/openssh")

        try clean("/upload/openssh")
        openSSHSame.append(try measure { try runOpenSSH(files, to: "/upload/openssh", server: server, work: work, sameAlgorithms: true) })
        try verify("/upload/openssh")
        try clean("/upload/openssh")
    }

    print("tool".padding(toLength: 58, withPad: " ", startingAt: 0)
        + "   wall      rate   client CPU  sshd CPU  MiB per CPU-s")
    func line(_ name: String, _ samples: [Sample]) -> Double {
        guard let best = samples.min(by: { $0.seconds < $1.seconds }) else { return 0 }
        let rate = total / best.seconds / 1_048_576
        let efficiency = total / 1_048_576 / max(best.clientCPU + best.serverCPU, 0.001)
        print(name.padding(toLength: 58, withPad: " ", startingAt: 0)
            + String(format: "%6.2f s %6.1f MiB/s  %6.2f s  %6.2f s  %8.1f", best.seconds, rate, best.clientCPU,
                     best.serverCPU, efficiency)
            + (samples.count > 1 ? "  (walls: " + samples.map { String(format: "%.2f", $0.seconds) }
                .joined(separator: ", ") + ")" : ""))
        return rate
    }
    let singleRate = line("ddexd, 1 session (libssh2)", single)
    let parallelRate = line("ddexd, \(options.parallel) sessions on \(options.parallel) threads", parallel)
    let sftpRate = line("OpenSSH sftp -b, default algorithms", openSSH)
    let sameRate = line("OpenSSH sftp -b, aes128-ctr + hmac-sha2-256 (as libssh2)", openSSHSame)
    print(String(format: "ratio 1 session / sftp:   %.2f× (target ≥ 1.0×); vs sftp with libssh2's algorithms %.2f×",
                 singleRate / sftpRate, singleRate / sameRate))
    print(String(format: "ratio %d sessions / sftp:  %.2f× (target ≥ 1.3×); vs sftp with libssh2's algorithms %.2f×",
                 options.parallel, parallelRate / sftpRate, parallelRate / sameRate))
    print("best of \(options.rounds) round(s) by wall time; times include connecting, host-key check and "
        + "authentication. Client CPU: this process (ddexd) or sftp + its ssh; sshd CPU: the server's sessions. "
        + "On a busy machine the CPU columns are the steadier comparison.")
}

private struct Sample {
    var seconds: Double
    var clientCPU: Double
    var serverCPU: Double
}

/// CPU seconds (user + system) of this process and of its waited-for children (the `sftp` runs).
private func clientCPUSeconds() -> Double {
    func seconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
    return seconds(RUSAGE_SELF.rawValue) + seconds(RUSAGE_CHILDREN.rawValue)
}

private struct SFTPBenchmarkOptions {
    var files = 8
    var totalBytes = 1 << 30
    var parallel = 2
    var chunk = SFTPClientConfiguration.defaultWriteChunkSize
    var rounds = 1

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard let value = iterator.next() else { throw HarnessError("\(argument) needs a value") }
            switch argument {
            case "--files": files = try Self.count(value, argument)
            case "--size": totalBytes = try Self.bytes(value)
            case "--parallel": parallel = try Self.count(value, argument)
            case "--chunk": chunk = try Self.bytes(value)
            case "--rounds": rounds = try Self.count(value, argument)
            default:
                throw HarnessError("unknown option \(argument); use --files N --size 1G --parallel P --chunk BYTES --rounds R")
            }
        }
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

private func mebibytes(_ bytes: Double) -> String { String(format: "%.0f", bytes / 1_048_576) }

/// One SFTP session per thread (libssh2 sessions are never shared), taking files from a common queue.
private func uploadInParallel(_ files: [String], to folder: String, sessions: Int,
                              configuration: SFTPClientConfiguration) throws
{
    let queue = WorkQueue(files)
    let group = DispatchGroup()
    for _ in 0..<min(sessions, files.count) {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            do {
                let client = try SFTPClient(configuration: configuration)
                while let file = queue.next() {
                    try client.upload(file, to: folder + "/" + (file as NSString).lastPathComponent)
                }
                client.close()
            } catch {
                queue.fail(error)
            }
        }
        thread.start()
    }
    group.wait()
    if let error = queue.failure { throw error }
}

private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String]
    private var error: (any Error)?

    init(_ items: [String]) { self.items = items.reversed() }

    func next() -> String? { lock.withLock { error == nil ? items.popLast() : nil } }
    func fail(_ error: any Error) { lock.withLock { if self.error == nil { self.error = error } } }
    var failure: (any Error)? { lock.withLock { error } }
}

/// `sftp -b batch` with the harness's key and known_hosts, strict host-key checking, like an operator would run it.
private func runOpenSSH(_ files: [String], to folder: String, server: SSHServer, work: TemporaryDirectory,
                        sameAlgorithms: Bool) throws
{
    let batch = files.map { "put \($0) \(folder)/\(($0 as NSString).lastPathComponent)" }.joined(separator: "\n") + "\n"
    let batchFile = try work.write(batch, to: "batch.txt")
    var arguments = ["-q", "-b", batchFile.path, "-i", server.clientKeyPath, "-P", String(server.port),
                     "-o", "UserKnownHostsFile=\(server.knownHostsPath)", "-o", "StrictHostKeyChecking=yes",
                     "-o", "BatchMode=yes"]
    if sameAlgorithms { arguments += ["-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha2-256"] }
    arguments.append("\(server.user)@\(server.host)")
    let result = try SSHProcess.run("/usr/bin/sftp", arguments)
    guard result.status == 0 else { throw HarnessError("sftp failed with \(result.status): \(result.stderr)") }
}
