import DDEXConfig
import DDEXModel
import Foundation
import TestSupport
import XCTest

/// The defaults are declared once (`ConfigurationDefaults.swift`); what the README and the example configurations
/// say of them must be the same values.
final class ConfigurationDefaultsTests: XCTestCase {
    /// The README's configuration table, as (its row, a key, the default as the row writes it).
    static var documented: [(row: String, key: String, value: String)] {
        typealias P = DSPProfile.Defaults
        let daemon = ("`[daemon]`", [
            ("rescan_seconds", "\(DaemonSettings.Defaults.rescanSeconds)"),
            ("shutdown_timeout_seconds", "\(DaemonSettings.Defaults.shutdownTimeoutSeconds)"),
            ("status_interval_seconds", "\(DaemonSettings.Defaults.statusIntervalSeconds)"),
            ("lease_seconds", "\(DaemonSettings.Defaults.leaseSeconds)"),
            ("log_level", code(DaemonSettings.Defaults.logLevel)),
        ])
        let intake = ("`[intake]`", [
            ("max_unpacked_bytes", "\(IntakeSettings.Defaults.maxUnpackedBytes)"),
            ("max_zip_entries", "\(IntakeSettings.Defaults.maxZipEntries)"),
            ("max_metadata_bytes", "\(IntakeSettings.Defaults.maxMetadataBytes)"),
            ("max_compression_ratio", "\(IntakeSettings.Defaults.maxCompressionRatio)"),
        ])
        let profile = ("DSP profile", [
            ("enabled", code("\(P.enabled)")), ("ern_version", code(P.ernVersion.rawValue)),
            ("choreography", code(P.choreography.rawValue)), ("priority_prefix", code(P.priorityPrefix.rawValue)),
            ("territories", array(P.territories.map(\.value))), ("hash_algorithms", array(P.hashAlgorithms.map(\.rawValue))),
            ("resource_naming", code(P.resourceNaming.rawValue)), ("cover_min_pixels", "\(P.coverMinPixels)"),
            ("cover_formats", array(P.coverFormats.map(\.rawValue))), ("cover_square", code("\(P.coverMustBeSquare)")),
            ("audio_formats", array(P.audioFormats.map { $0 == .pcm ? "WAV" : $0.rawValue })),
            ("audio_bit_depths", code("\(P.audioBitDepths)")), ("audio_sample_rates", code("\(P.audioSampleRates)")),
            ("wav_require_pcm_format_tag", code("\(P.wavRequirePCMFormatTag)")), ("takedown", code(P.takedownStyle.rawValue)),
            ("test_mode", code("\(P.testMode)")),
        ])
        let transport = ("`[transport]` (in a profile)", [
            ("kind", code(TransportSettings.Defaults.kind.rawValue)), ("port", "\(TransportSettings.Defaults.port)"),
            ("connect_timeout_seconds", "\(TransportSettings.Defaults.connectTimeoutSeconds)"),
            ("max_sessions", "\(TransportSettings.Defaults.maxSessions)"),
        ])
        let retry = ("`[retry]` (in a profile)", [
            ("max_attempts", "\(RetryPolicy.Defaults.maxAttempts)"),
            ("initial_delay_seconds", "\(Int(RetryPolicy.Defaults.initialDelaySeconds))"),
            ("max_delay_seconds", "\(Int(RetryPolicy.Defaults.maxDelaySeconds))"),
        ])
        let acks = ("`[acks]` (in a profile)", [("poll_seconds", "\(P.ackPollSeconds)"), ("ack_deadline_hours", "\(P.ackDeadlineHours)")])
        let dsr = ("`[dsr]` (in a profile)", [("poll_seconds", "\(P.dsrPollSeconds)"), ("after_fetch", code(P.dsrAfterFetch.rawValue))])
        let store = ("`[store]`", [
            ("kind", code(StoreSettings.Defaults.kind.rawValue)),
            // The row states the port a url may leave out inside the url's note.
            ("url", "\(PostgreSQLSettings.Defaults.port)"),
            ("pool_size", "\(PostgreSQLSettings.Defaults.poolSize)"),
            ("tls", code(PostgreSQLSettings.Defaults.tls.rawValue)),
        ])
        return [daemon, intake, store, profile, transport, retry, acks, dsr].flatMap { row, keys in keys.map { (row, $0.0, $0.1) } }
    }

    static func code(_ text: String) -> String { "`\(text)`" }
    static func array(_ strings: [String]) -> String { code("[" + strings.map { "\"\($0)\"" }.joined(separator: ", ") + "]") }

    func testTheREADMEStatesEveryDeclaredDefault() throws {
        let readme = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n")
        for (row, key, value) in Self.documented {
            guard let line = lines.first(where: { $0.hasPrefix("| \(row) |") }) else {
                XCTFail("no README row \(row)")
                continue
            }
            guard let start = line.range(of: "`\(key)` (") else {
                XCTFail("README row \(row) states no default for \(key)")
                continue
            }
            let rest = line[start.upperBound...]
            let note = rest[..<(rest.firstIndex(of: ")") ?? rest.endIndex)]
            XCTAssertTrue(note.hasSuffix("default \(value)") || note.contains("default \(value):"),
                          "README says \(key) (\(note)); the declared default is \(value)")
        }
    }

    /// The example configurations write the daemon's and intake's values out; they must be the defaults.
    func testTheExampleConfigurationsWriteTheDefaults() throws {
        let expected: [String: [String: String]] = [
            "daemon": [
                "rescan_seconds": "\(DaemonSettings.Defaults.rescanSeconds)",
                "shutdown_timeout_seconds": "\(DaemonSettings.Defaults.shutdownTimeoutSeconds)",
                "status_interval_seconds": "\(DaemonSettings.Defaults.statusIntervalSeconds)",
                "lease_seconds": "\(DaemonSettings.Defaults.leaseSeconds)",
                "log_level": "\"\(DaemonSettings.Defaults.logLevel)\"",
            ],
            "intake": [
                "max_unpacked_bytes": "\(IntakeSettings.Defaults.maxUnpackedBytes)",
                "max_zip_entries": "\(IntakeSettings.Defaults.maxZipEntries)",
                "max_metadata_bytes": "\(IntakeSettings.Defaults.maxMetadataBytes)",
                "max_compression_ratio": "\(IntakeSettings.Defaults.maxCompressionRatio)",
            ],
        ]
        for file in ["Config/ddexd.toml", "systemd/ddexd.toml"] {
            let text = try String(contentsOf: RepositoryPaths.root.appendingPathComponent(file), encoding: .utf8)
            var table = ""
            var checked = 0
            for raw in text.split(separator: "\n") {
                let line = (raw.split(separator: "#", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("[") { table = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let value = expected[table]?[parts[0]] else { continue }
                XCTAssertEqual(parts[1], value, "\(file) [\(table)] \(parts[0])")
                checked += 1
            }
            XCTAssertGreaterThanOrEqual(checked, 7, "\(file) writes the [daemon] and [intake] values out")
        }
    }

    func testTheInitialisersUseTheDeclaredDefaults() throws {
        let transport = TransportSettings(kind: .local, remoteRoot: "/x")
        let profile = DSPProfile(name: "x", recipientDPID: try DPID(validating: "PADPIDA2011072101T"), recipientName: "X", transport: transport)
        XCTAssertEqual(profile.ackDeadlineHours, DSPProfile.Defaults.ackDeadlineHours)
        XCTAssertEqual(profile.retry.maxAttempts, RetryPolicy.Defaults.maxAttempts)
        XCTAssertEqual(transport.maxSessions, TransportSettings.Defaults.maxSessions)
        XCTAssertEqual(DaemonSettings().statusIntervalSeconds, DaemonSettings.Defaults.statusIntervalSeconds)
        XCTAssertEqual(DaemonSettings().leaseSeconds, DaemonSettings.Defaults.leaseSeconds)
        XCTAssertEqual(IntakeSettings().maxMetadataBytes, IntakeSettings.Defaults.maxMetadataBytes)
        XCTAssertEqual(StoreSettings().kind, StoreSettings.Defaults.kind)
        let postgresql = PostgreSQLSettings(host: "h", user: "u", database: "d")
        XCTAssertEqual(postgresql.port, PostgreSQLSettings.Defaults.port)
        XCTAssertEqual(postgresql.poolSize, PostgreSQLSettings.Defaults.poolSize)
        XCTAssertEqual(postgresql.tls, PostgreSQLSettings.Defaults.tls)
        XCTAssertEqual(PostgreSQLSettings.Address(host: "h", user: "u", database: "d").port, PostgreSQLSettings.Defaults.port)
    }
}
