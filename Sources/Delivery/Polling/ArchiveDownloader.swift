import DDEXModel
import DSR
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Copies remote files into the local archive: under a hidden temporary name beside the final one,
/// resumed from the local partial size, checked against the size the server listed, hashed, and only
/// then renamed to the final name. A file in the archive is therefore always whole.
struct ArchiveDownloader {
    let transport: any DeliveryTransport

    struct Result {
        /// The archived file.
        var path: String
        var sha256: String
        var size: UInt64
    }

    /// The temporary name a download is written under (the same on every attempt, so a later pass resumes).
    static func temporaryPath(for localPath: String) -> String {
        let url = URL(fileURLWithPath: localPath)
        return url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".ddexd-part"
    }

    /// Downloads `remotePath` (listed with `remoteSize` bytes) to `localPath`. When `localPath` already
    /// holds other content, the file goes to `<folder>/<sha256 prefix>/<name>` instead, so nothing
    /// archived is ever overwritten.
    func fetch(_ remotePath: String, size remoteSize: UInt64, to localPath: String) throws -> Result {
        let folder = (localPath as NSString).deletingLastPathComponent
        try Self.makeFolder(folder)
        let temporary = Self.temporaryPath(for: localPath)
        var offset = Self.size(of: temporary) ?? 0
        if offset > remoteSize {
            // Longer than the remote file: not a prefix of it. Start again.
            unlink(temporary)
            offset = 0
        }
        if offset < remoteSize || (remoteSize == 0 && Self.size(of: temporary) == nil) {
            try transport.download(remotePath, to: temporary, resumeFrom: offset)
        }
        let local = Self.size(of: temporary)
        guard local == remoteSize else {
            throw PollError(.sizeMismatch,
                            "\(remotePath): \(local.map(String.init) ?? "no") bytes downloaded, the server listed \(remoteSize); trying again on the next pass",
                            retryable: true)
        }
        let sha = try Self.sha256(temporary)
        var target = localPath
        if FileManager.default.fileExists(atPath: target) {
            if (try? Self.sha256(target)) == sha {
                unlink(temporary)
                return Result(path: target, sha256: sha, size: remoteSize)
            }
            let name = (localPath as NSString).lastPathComponent
            let aside = folder + "/" + String(sha.prefix(16))
            try Self.makeFolder(aside)
            target = aside + "/" + name
            if FileManager.default.fileExists(atPath: target) {
                unlink(temporary)
                return Result(path: target, sha256: sha, size: remoteSize)
            }
        }
        guard rename(temporary, target) == 0 else {
            throw PollError(.archiveIO, "rename \(temporary) to \(target): \(String(cString: strerror(errno)))", retryable: true)
        }
        return Result(path: target, sha256: sha, size: remoteSize)
    }

    static func sha256(_ path: String) throws -> String {
        do {
            return try DSRFileDigest.sha256(path: path).hex
        } catch {
            throw PollError(.archiveIO, "cannot read \(path): \(error.message)", retryable: true)
        }
    }

    static func size(of path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }

    static func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PollError(.archiveIO, "cannot create \(path): \(error)", retryable: true)
        }
    }

    /// True for a name the server may list as a file of a folder: no separator, not `.`/`..`, no control
    /// characters. Anything else is refused before it becomes part of a local path.
    static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, name != ".", name != "..", name.utf8.count <= 255 else { return false }
        return !name.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
    }

    /// A relative remote folder as a relative local folder: empty, `.` and `..` parts dropped.
    static func localRelative(_ remoteFolder: String) -> String {
        remoteFolder.split(separator: "/").filter { $0 != "." && $0 != ".." && !$0.isEmpty }.joined(separator: "/")
    }
}
