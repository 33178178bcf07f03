import DDEXConfig
import DDEXModel
import Foundation
import ZIPFoundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unpacks a zip package into an empty folder, refusing anything that could write outside it or fill the disk.
///
/// Every entry is checked before a byte is written: names with `..`, absolute names, backslashes or NUL,
/// symbolic-link entries, duplicate names, more than `maxZipEntries` entries, and declared sizes above
/// `maxUnpackedBytes` all refuse the whole zip. While writing, the bytes actually produced are counted too
/// (a zip can lie about sizes), files are created exclusively (`O_EXCL | O_NOFOLLOW`), and CRCs are checked.
public struct ZipPackageUnpacker: Sendable {
    public var settings: IntakeSettings

    public init(settings: IntakeSettings = IntakeSettings()) {
        self.settings = settings
    }

    public struct Result: Sendable {
        /// The package root inside the destination: the destination itself, or the single folder the zip wraps
        /// its content in (zipping a folder often does that). Nil when unpacking was refused.
        public var root: URL?
        public var problems: [Problem]
    }

    /// Unpacks `zip` into `destination` (created if missing; must be empty). `displayName` locates problems.
    public func unpack(zipAt zip: URL, into destination: URL, displayName: String) -> Result {
        func refused(_ problems: [Problem]) -> Result { Result(root: nil, problems: problems) }
        let archive: Archive
        do {
            archive = try Archive(url: zip, accessMode: .read)
        } catch {
            return refused([.error(.zipUnreadable, at: displayName, "not a readable zip archive: \(error)")])
        }
        var problems: [Problem] = []
        var entries: [(entry: Entry, path: String)] = []
        var seen: Set<String> = []
        var declared: UInt64 = 0
        var count = 0
        for entry in archive {
            count += 1
            guard count <= settings.maxZipEntries else {
                problems.append(.error(.zipTooManyEntries, at: displayName, "the zip holds more than \(settings.maxZipEntries) entries (intake.max_zip_entries)"))
                return refused(problems)
            }
            let raw = entry.path
            let at = "\(displayName): \(raw)"
            if entry.type == .symlink {
                problems.append(.error(.zipSymlinkEntry, at: at, "the zip holds a symbolic link; packages must hold plain files"))
                continue
            }
            let path: String
            switch PackagePathResolver.normalize(raw, location: at) {
            case .problem(let p):
                problems.append(Problem(.zipUnsafeEntry, .error, at: at, p.message))
                continue
            case .ok(let n):
                path = n
            }
            guard seen.insert(path).inserted else {
                problems.append(.error(.zipDuplicateEntry, at: at, "the zip holds '\(path)' more than once"))
                continue
            }
            declared += entry.uncompressedSize
            entries.append((entry, path))
        }
        if declared > settings.maxUnpackedBytes {
            problems.append(.error(.zipTooLarge, at: displayName, "the zip unpacks to \(declared) bytes, more than the \(settings.maxUnpackedBytes) allowed (intake.max_unpacked_bytes)"))
        }
        guard problems.isEmpty else { return refused(problems) }

        do {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        } catch {
            return refused([.error(.zipUnreadable, at: displayName, "cannot create the unpack folder: \(error)")])
        }
        var written: UInt64 = 0
        // Folders first, so files land in folders this unpacker made itself.
        for (entry, path) in entries.sorted(by: { ($0.entry.type == .directory ? 0 : 1) < ($1.entry.type == .directory ? 0 : 1) }) {
            let target = destination.appendingPathComponent(path)
            let at = "\(displayName): \(entry.path)"
            do {
                if entry.type == .directory {
                    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                    continue
                }
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                return refused([.error(.zipUnsafeEntry, at: at, "cannot create the folder for '\(path)': it clashes with a file of the same name")])
            }
            let fd = open(target.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                return refused([.error(.zipUnsafeEntry, at: at, "cannot create '\(path)': \(String(cString: strerror(errno)))")])
            }
            let limit = settings.maxUnpackedBytes
            var tooLarge = false
            do {
                defer { close(fd) }
                let crc = try archive.extract(entry, skipCRC32: false) { data in
                    written += UInt64(data.count)
                    guard written <= limit else {
                        tooLarge = true
                        throw CocoaError(.fileWriteOutOfSpace)
                    }
                    try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                        var offset = 0
                        while offset < buffer.count {
                            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                            if n < 0 {
                                if errno == EINTR { continue }
                                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                            }
                            offset += n
                        }
                    }
                }
                guard crc == entry.checksum else {
                    return refused([.error(.zipUnreadable, at: at, "the entry's CRC-32 does not match its contents")])
                }
            } catch {
                if tooLarge {
                    return refused([.error(.zipTooLarge, at: displayName, "the zip unpacks to more than the \(limit) bytes allowed (intake.max_unpacked_bytes); its headers understate the sizes")])
                }
                return refused([.error(.zipUnreadable, at: at, "cannot unpack the entry: \(error)")])
            }
        }
        return Result(root: Self.packageRoot(in: destination), problems: [])
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
