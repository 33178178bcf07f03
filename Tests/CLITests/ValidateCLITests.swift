import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `ddexd validate` through the real binary: it answers "will this be delivered?" per DSP, refuses the
/// hostile packages the hidden corpus found, and leaves nothing in `$TMPDIR` whichever way it ends.
final class ValidateCLITests: XCTestCase {
    private let config = RepositoryPaths.config.appendingPathComponent("ddexd.toml").path
    private var tmp: TemporaryDirectory!

    /// XCTest keeps every test case object until the run ends, so the folder goes here, not in deinit.
    override func tearDown() {
        tmp = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        tmp = try TemporaryDirectory(prefix: "validate-tmp")
    }

    /// Runs `ddexd validate` with its own `$TMPDIR`, so what it leaves there can be seen.
    private func validate(_ package: String, _ extra: [String] = [], config: String? = nil) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = tmp.path
        return try CommandRunner.run(CommandRunner.ddexd, ["validate", package, "--config", config ?? self.config] + extra, environment: environment)
    }

    private func hostile(_ name: String) -> String { RepositoryPaths.fixtures.appendingPathComponent("hostile/\(name)").path }

    private func json(_ result: CommandResult) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout + result.stderr)
    }

    private func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix("ddexd-") }
    }

    // MARK: The four holes

    func testTheFourHolesAreRefusedWithTheirCodes() throws {
        let cases = [("zip-bomb-entry/package.zip", "ZIP_SIZE_MISMATCH"), ("ern-xinclude", "XSD_INVALID"),
                     ("ern-utf16-declared-utf8", "XML_ENCODING"), ("zip-endless-deflate/package.zip", "ZIP_UNREADABLE")]
        for (fixture, code) in cases {
            let started = Date()
            let result = try validate(hostile(fixture), ["--format", "json"])
            XCTAssertEqual(result.status, 1, "\(fixture): \(result.stdout)\(result.stderr)")
            let output = try json(result)
            XCTAssertEqual(output["valid"] as? Bool, false)
            let codes = (output["problems"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            XCTAssertTrue(codes.contains(code), "\(fixture): \(codes)")
            XCTAssertLessThan(Date().timeIntervalSince(started), 10, "\(fixture) is refused at once")
            XCTAssertEqual(try leftovers(), [], "\(fixture): nothing left in TMPDIR")
        }
    }

    /// An 8 × 8 px cover: a warning for the package, a refusal from every DSP it goes to, and exit 1 — never
    /// "VALID" for a package `ddexd build` would refuse.
    func testATinyCoverIsNotDeliverableAndSaysWhyPerDSP() throws {
        let text = try validate(hostile("cover-8px"))
        XCTAssertEqual(text.status, 1, text.stdout)
        XCTAssertFalse(text.stdout.contains("VALID: the package will be delivered"), text.stdout)
        XCTAssertTrue(text.stdout.contains("DSP spotify  would REFUSE it"), text.stdout)
        XCTAssertTrue(text.stdout.contains("NOT DELIVERABLE: spotify, youtube would refuse the package"), text.stdout)
        let output = try json(try validate(hostile("cover-8px"), ["--format", "json"]))
        let dsps = try XCTUnwrap(output["dsps"] as? [String: [String: Any]])
        XCTAssertEqual(Set(dsps.keys), ["spotify", "youtube"], "the release's own dsps list")
        for (name, verdict) in dsps {
            XCTAssertEqual(verdict["deliverable"] as? Bool, false, name)
            let codes = (verdict["problems"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            XCTAssertEqual(codes, ["DSP_COVER_TOO_SMALL"], name)
        }
        // The same verdict ddexd build gives.
        let out = try TemporaryDirectory(prefix: "build-8px")
        let build = try CommandRunner.run(CommandRunner.ddexd, ["build", hostile("cover-8px"), "--dsp", "spotify", "--out", out.path, "--config", config])
        XCTAssertEqual(build.status, 1)
        XCTAssertTrue(build.stdout.contains("DSP_COVER_TOO_SMALL"), build.stdout)
    }

    // MARK: Targets

    func testEveryTargetIsJudgedAndDSPNarrowsThem() throws {
        let example = RepositoryPaths.fixtures.appendingPathComponent("packages/example-album").path
        let all = try validate(example)
        XCTAssertEqual(all.status, 0, all.stdout + all.stderr)
        XCTAssertTrue(all.stdout.contains("VALID: the package will be delivered to labelcamp, spotify, youtube"), all.stdout)
        // The single's 640 px JPEG suits Spotify and YouTube, not Labelcamp (3000 px and more).
        let single = RepositoryPaths.fixtures.appendingPathComponent("packages/single-wav").path
        let everyDSP = try json(try validate(single, ["--format", "json"]))
        XCTAssertEqual((everyDSP["dsps"] as? [String: Any])?.keys.sorted(), ["labelcamp", "spotify", "youtube"], "no dsps list: every enabled DSP")
        XCTAssertEqual(try validate(single).status, 1)
        let narrowed = try validate(single, ["--dsp", "spotify", "--dsp", "youtube", "--format", "json"])
        XCTAssertEqual(narrowed.status, 0, narrowed.stdout)
        XCTAssertEqual((try json(narrowed)["dsps"] as? [String: Any])?.keys.sorted(), ["spotify", "youtube"])
        let unknown = try validate(single, ["--dsp", "napster", "--format", "json"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stdout.contains("DSP_UNKNOWN"), unknown.stdout)
        // The album names spotify and youtube only: labelcamp is not one of its targets.
        let album = RepositoryPaths.fixtures.appendingPathComponent("packages/album-flac").path
        let notTargeted = try validate(album, ["--dsp", "labelcamp"])
        XCTAssertEqual(notTargeted.status, 1)
        XCTAssertTrue(notTargeted.stdout.contains("DSP_NOT_TARGETED"), notTargeted.stdout)
    }

    // MARK: Temporary folders

    /// SIGTERM and SIGINT while a zip is being unpacked: the scratch folder goes, and the exit says which signal.
    func testASignalMidUnpackLeavesNothingInTMPDIR() throws {
        let work = try TemporaryDirectory(prefix: "validate-slow")
        let zip = work.path + "/slow.zip"
        // 768 MiB of zeros: long enough to unpack that the signal lands mid-way.
        let script = """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            with z.open("resources/zeros.bin", "w", force_zip64=True) as f:
                chunk = bytes(8 << 20)
                for _ in range(96): f.write(chunk)
        """
        let made = try CommandRunner.run("python3", ["-c", script, zip])
        XCTAssertEqual(made.status, 0, made.stderr)
        // The example configuration, with the compression-ratio limit lifted so the zip is unpacked.
        let configText = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "max_compression_ratio = 100 ", with: "max_compression_ratio = 1000000 ")
        let configDir = RepositoryPaths.config.path
        let lifted = try work.write(configText.replacingOccurrences(of: "dsp_folder = \"dsps\"", with: "dsp_folder = \"\(configDir)/dsps\"")
            .replacingOccurrences(of: "root = \"../Spool\"", with: "root = \"\(work.path)/spool\"")
            .replacingOccurrences(of: "folder = \"ddex-xsd\"", with: "folder = \"\(configDir)/ddex-xsd\""), to: "ddexd.toml").path
        for signalNumber in [SIGTERM, SIGINT] {
            let process = Process()
            process.executableURL = CommandRunner.ddexd
            process.arguments = ["validate", zip, "--config", lifted]
            var environment = ProcessInfo.processInfo.environment
            environment["TMPDIR"] = tmp.path
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            var unpacking = false
            while Date() < deadline, process.isRunning, !unpacking {
                let scratch = try leftovers()
                unpacking = scratch.contains { name in
                    let file = tmp.path + "/" + name + "/resources/zeros.bin"
                    return ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) > 0
                }
                usleep(5_000)
            }
            XCTAssertTrue(unpacking, "the zip was being unpacked when the signal was sent")
            kill(process.processIdentifier, signalNumber)
            let stopBy = Date().addingTimeInterval(20)
            while process.isRunning, Date() < stopBy { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                XCTFail("ddexd validate did not end within 20 s of signal \(signalNumber)")
            }
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "ended by the signal itself")
            XCTAssertEqual(process.terminationStatus, signalNumber)
            XCTAssertEqual(try leftovers(), [], "signal \(signalNumber): the scratch folder is gone")
        }
    }

    /// SIGKILL cannot be caught: the next run removes the folders of processes that no longer exist.
    func testAFolderLeftBySIGKILLIsSweptByTheNextRun() throws {
        let dead = tmp.path + "/ddexd-validate-999999999-abc"
        try FileManager.default.createDirectory(atPath: dead + "/resources", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dead + "/resources/01.flac", contents: Data(count: 1000))
        let living = tmp.path + "/ddexd-validate-\(getpid())-def"
        try FileManager.default.createDirectory(atPath: living, withIntermediateDirectories: true)
        _ = try validate(RepositoryPaths.fixtures.appendingPathComponent("packages/album-flac.zip").path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead), "a dead process's folder is removed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: living), "a living process's folder stays")
    }
}
