import DDEXConfig
import DDEXModel
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unpacks a zip package into an empty folder, refusing anything that could write outside it, fill the disk
/// or keep the host busy.
///
/// Before a byte is written, the whole central directory is read (`ZipArchive`, which checks its structure)
/// and every entry is judged: more than `maxZipEntries` entries, names with `..`, absolute names,
/// backslashes, NUL or other control characters, symbolic links, duplicate names (Unicode twins
/// included), declared sizes above `maxUnpackedBytes`, a declared size more than `maxCompressionRatio`
/// times the compressed one, and a declared size the target file system has no room for all refuse the
/// whole zip. While writing, each entry stops the moment it passes its declared size (`ZIP_SIZE_MISMATCH`),
/// files are created below the folder's descriptor only (`UnpackFolder`), and CRCs are checked. A refused
/// zip leaves nothing behind: what was written is removed before `unpack` returns.
public struct ZipPackageUnpacker: Sendable {
    public var settings: IntakeSettings
    /// Asked between chunks: true stops unpacking (`ZIP_INTERRUPTED`), e.g. while the process is being terminated.
    public var shouldStop: @Sendable () -> Bool
    /// Bytes the file system holding a path has free for unprivileged users; nil when it cannot tell.
    public var availableBytes: @Sendable (String) -> UInt64?

    /// An unpacker with the intake's limits; `shouldStop` is asked between chunks (by default: is the process being
    /// terminated), `availableBytes` tells the free space of the target's file system (replaceable in tests).
    public init(settings: IntakeSettings = IntakeSettings(), shouldStop: @escaping @Sendable () -> Bool = { ScratchFolder.isTerminating },
                availableBytes: @escaping @Sendable (String) -> UInt64? = ZipPackageUnpacker.availableBytes(at:))
    {
        self.settings = settings
        self.shouldStop = shouldStop
        self.availableBytes = availableBytes
    }

    /// Where the unpacked package is, or why it was refused.
    public struct Result: Sendable {
        /// The package root inside the destination: the destination itself, or the single folder the zip wraps
        /// its content in (zipping a folder often does that). Nil when unpacking was refused.
        public var root: URL?
        public var problems: [Problem]
    }

    /// Unpacks `zip` into `destination` (created if missing; must be empty). `displayName` locates problems.
    public func unpack(zipAt zip: URL, into destination: URL, displayName: String) -> Result {
        let archive: ZipArchive
        let entries: [ZipEntry]
        do {
            archive = try ZipArchive(path: zip.path)
            guard archive.declaredEntryCount <= UInt64(settings.maxZipEntries) else {
                return refused([.error(.zipTooManyEntries, at: displayName,
                                       "the zip holds \(archive.declaredEntryCount) entries, more than the \(settings.maxZipEntries) allowed (intake.max_zip_entries)")])
            }
            entries = try archive.entries()
        } catch {
            return refused([.error(.zipUnreadable, at: displayName, "not a readable zip archive: \(error.message)")])
        }
        let plan = ZipUnpackPlan(entries: entries, displayName: displayName)
        var problems = plan.problems
        problems += sizeProblems(plan, displayName: displayName)
        guard problems.isEmpty else { return refused(problems) }
        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            return refused([.error(.zipUnreadable, at: displayName, "cannot create the unpack folder: \(error)")])
        }
        if let space = spaceProblem(plan.declaredBytes, folder: destination.path, displayName: displayName) {
            return refused([space])
        }
        if let problem = write(plan, from: archive, into: destination, displayName: displayName) {
            Self.removeContents(of: destination)
            return refused([problem])
        }
        return Result(root: Self.packageRoot(in: destination), problems: [])
    }

    private func refused(_ problems: [Problem]) -> Result { Result(root: nil, problems: problems) }

    // MARK: Limits

    /// The declared total against `max_unpacked_bytes`, and against `max_compression_ratio` times the compressed total.
    private func sizeProblems(_ plan: ZipUnpackPlan, displayName: String) -> [Problem] {
        let declared = plan.declaredBytes
        let compressed = plan.compressedBytes
        if declared > settings.maxUnpackedBytes {
            return [.error(.zipTooLarge, at: displayName, "the zip unpacks to \(declared) bytes, more than the \(settings.maxUnpackedBytes) allowed (intake.max_unpacked_bytes)")]
        }
        let (limit, overflow) = max(compressed, 1).multipliedReportingOverflow(by: settings.maxCompressionRatio)
        if declared >= IntakeSettings.compressionRatioFloorBytes, !overflow, declared > limit {
            return [.error(.zipRatioTooHigh, at: displayName,
                           "the zip's \(compressed) compressed bytes unpack to \(declared), more than \(settings.maxCompressionRatio) times as many (intake.max_compression_ratio): audio and images barely compress, so this is a zip bomb or padding")]
        }
        return []
    }

    private func spaceProblem(_ declared: UInt64, folder: String, displayName: String) -> Problem? {
        guard let free = availableBytes(folder) else { return nil }
        guard declared > free else { return nil }
        return .error(.zipNoSpace, at: displayName,
                      "the zip unpacks to \(declared) bytes but the file system of \(folder) has only \(free) bytes free; nothing was unpacked")
    }

    /// Free bytes for unprivileged users on the file system holding `path` (`statvfs`).
    @Sendable public static func availableBytes(at path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize)).partialValue
    }

    // MARK: Writing

    /// Writes every entry; the first failure is returned (the caller removes what was written).
    private func write(_ plan: ZipUnpackPlan, from archive: ZipArchive, into destination: URL, displayName: String) -> Problem? {
        let folder: UnpackFolder
        do {
            folder = try UnpackFolder(path: destination.path)
        } catch {
            return .error(.zipUnreadable, at: displayName, "cannot open the unpack folder: \(error)")
        }
        let extractor = ZipEntryExtractor(archive: archive, shouldStop: shouldStop)
        for (entry, path) in plan.folders {
            do {
                try folder.makeFolder(path)
            } catch {
                return .error(.zipUnsafeEntry, at: "\(displayName): \(entry.name)", error.description)
            }
        }
        for (entry, path) in plan.files {
            let at = "\(displayName): \(entry.name)"
            if shouldStop() { return problem(for: .stopped, at: at, displayName: displayName) }
            let fd: Int32
            do {
                fd = try folder.createFile(path)
            } catch {
                return .error(.zipUnsafeEntry, at: at, error.description)
            }
            defer { close(fd) }
            do throws(ZipEntryExtractor.Failure) {
                try extractor.extract(entry) { bytes in try Self.writeAll(bytes, to: fd) }
            } catch {
                return problem(for: error, at: at, displayName: displayName)
            }
        }
        return nil
    }

    private func problem(for failure: ZipEntryExtractor.Failure, at location: String, displayName: String) -> Problem {
        switch failure {
        case .tooLarge(let declared, let produced):
            .error(.zipSizeMismatch, at: location, "the entry declares \(declared) bytes but inflates to more (\(produced) and counting); unpacking stopped there and nothing of the zip is kept (a zip bomb, or a damaged zip)")
        case .tooSmall(let declared, let produced):
            .error(.zipSizeMismatch, at: location, "the entry declares \(declared) bytes but holds only \(produced)")
        case .corrupt(let message):
            .error(.zipUnreadable, at: location, "cannot unpack the entry: \(message)")
        case .sink(let error):
            .error(.zipUnreadable, at: location, "cannot write the entry: \(error)")
        case .stopped:
            .error(.zipInterrupted, at: displayName, "unpacking was interrupted (ddexd is stopping); nothing of it is kept")
        }
    }

    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            offset += n
        }
    }

    /// Empties `folder` (it stays: it belongs to the caller).
    static func removeContents(of folder: URL) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// The destination, or the one folder it holds when that is all the zip held (besides hidden entries and `__MACOSX`).
    static func packageRoot(in destination: URL) -> URL {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "__MACOSX" }
        if names.count == 1, PackageDiscovery.fileType(destination.appendingPathComponent(names[0]).path) == .directory {
            return destination.appendingPathComponent(names[0])
        }
        return destination
    }
}
