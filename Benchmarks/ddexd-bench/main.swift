import Foundation

/// `swift run -c release ddexd-bench <benchmark> [options]`: each benchmark measures ddexd against a
/// reference tool in the same run (md5sum/sha256sum, OpenSSH sftp, sqlite3 .import) and prints the ratio.
let benchmarks: [String: (String, ([String]) throws -> Void)] = [
    "validate": ("package validation ÷ (md5sum + sha256sum) of the same files", runValidateBenchmark),
    "dsr": ("DSR parse lines/s, ingest ÷ sqlite3 .import, peak RSS", runDSRBenchmark),
    "ern": ("ERN 4.3 messages/s for a 20-track album, without and with the XSD gate", runERNBenchmark),
    "bundle": ("bundle time for a 4 × 100 MB package ÷ (md5sum + sha256sum)", runBundleBenchmark),
    "ledger": ("statement run over SQLite (10M lines by default), checked by dsrgen --verify, peak RSS", runLedgerBenchmark),
    "postgres": ("DSR ingest into PostgreSQL ÷ psql \\copy (1M lines), statement run over PostgreSQL beside SQLite (10M)", runPostgresBenchmark),
    "sftp": ("1 GiB bundle to a local sshd: ddexd throughput ÷ OpenSSH sftp -b, one and several sessions", runSFTPBenchmark),
    "ackpoll": ("SFTP round trips of one acknowledgement pass with 10,000 deliveries awaiting an acknowledgement", runAckPollBenchmark),
    "load": ("ddexd run while it loads a 4M-line DSR report: heartbeat age, drop → delivered", runLoadBenchmark),
    "daemon": ("idle CPU of ddexd run with 10 DSPs, and READY → first byte in a drop box", runDaemonBenchmark),
    "cluster": ("50 small packages to one sshd on PostgreSQL: two instances' time ÷ one instance's", runClusterBenchmark),
]

let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let (_, run) = benchmarks[name] else {
    print("usage: ddexd-bench <benchmark> [options]\n\nbenchmarks:")
    for key in benchmarks.keys.sorted() { print("  \(key.padding(toLength: 10, withPad: " ", startingAt: 0)) \(benchmarks[key]!.0)") }
    exit(arguments.isEmpty ? 0 : 2)
}
StopCleanup.install()
do {
    try run(Array(arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("ddexd-bench \(name): \(error)\n".utf8))
    exit(1)
}
