import DDEXModel
import Foundation
import Logging
import Store

/// Puts one file of a delivery on the server under its final name, over one transport: a hidden temporary
/// name beside the final one (the same on every attempt, so an interrupted upload resumes from the remote
/// size), a size check, then a rename that never overwrites. Blocking; runs on the blocking pool.
enum FilePlacer {
    /// The temporary name a file is uploaded under.
    static func temporaryPath(for remotePath: String) -> String {
        let (folder, name) = split(remotePath)
        return (folder.isEmpty ? "" : folder + "/") + "." + name + ".ddexd-part"
    }

    static func place(_ file: DeliveryFile, on transport: any DeliveryTransport, log: Logger) throws {
        try transport.connect()
        if let existing = try transport.fileSize(file.remotePath) {
            guard existing == file.size else {
                throw TransportError(.remoteConflict, code: "DELIVERY_REMOTE_CONFLICT", path: file.remotePath,
                                     message: "already exists on the server with \(existing) bytes, not \(file.size); ddexd never overwrites, remove it or requeue under a new batch")
            }
            log.debug("already in place", metadata: ["file": "\(file.remotePath)"])
            return
        }
        let localSize = try localSize(file.localPath)
        guard localSize == file.size else {
            throw TransportError(.localIO, code: "DELIVERY_LOCAL_CHANGED", path: file.localPath,
                                 message: "\(localSize) bytes, the bundle recorded \(file.size): the bundle was modified")
        }
        let temporary = temporaryPath(for: file.remotePath)
        var offset = try transport.fileSize(temporary) ?? 0
        if offset > file.size {
            try transport.remove(temporary)
            offset = 0
        }
        if offset < file.size || (file.size == 0 && offset == 0) {
            if offset > 0 { log.info("resuming upload", metadata: ["file": "\(file.remotePath)", "offset": "\(offset)"]) }
            try transport.upload(file.localPath, to: temporary, resumeFrom: offset)
        }
        let uploaded = try transport.fileSize(temporary)
        guard uploaded == file.size else {
            throw TransportError(.sizeMismatch, code: "DELIVERY_SIZE_MISMATCH", path: temporary,
                                 message: "\(uploaded.map(String.init) ?? "missing") bytes after upload, expected \(file.size)")
        }
        do {
            try transport.rename(temporary, to: file.remotePath)
        } catch let error as TransportError where error.kind == .fileExists {
            // A previous attempt renamed it just before being interrupted: keep the one in place if it is whole.
            guard try transport.fileSize(file.remotePath) == file.size else { throw error }
            try? transport.remove(temporary)
        }
        log.debug("placed", metadata: ["file": "\(file.remotePath)", "bytes": "\(file.size)"])
    }

    /// Only when every file is on the server with its full size may the batch be completed.
    static func verify(_ files: [DeliveryFile], on transport: any DeliveryTransport) throws {
        try transport.connect()
        for file in files {
            let remote = try transport.fileSize(file.remotePath)
            guard remote == file.size else {
                throw TransportError(.sizeMismatch, code: "DELIVERY_SIZE_MISMATCH", path: file.remotePath,
                                     message: "\(remote.map(String.init) ?? "missing") bytes on the server, \(file.size) locally")
            }
        }
    }

    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    static func localSize(_ path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TransportError(.localIO, code: "DELIVERY_LOCAL_MISSING", path: path, message: String(cString: strerror(errno)))
        }
        return UInt64(info.st_size)
    }
}
