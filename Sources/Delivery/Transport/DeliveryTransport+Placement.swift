import Foundation

/// The batch operations delivery uses, built from the single-file ones: right for a local folder, where a round
/// trip costs nothing. `SFTPTransport` replaces them with pipelined versions (one round trip for many requests).
extension DeliveryTransport {
    public func makeDirectories(_ paths: [String]) throws {
        for path in paths { try makeDirectories(path) }
    }

    public func fileSizes(_ paths: [String]) throws -> [UInt64?] {
        try paths.map { try fileSize($0) }
    }

    public func place(_ files: [FilePlacement], placed: (Int) throws -> Void) throws {
        for (index, file) in files.enumerated() {
            try placeOne(file)
            try placed(index)
        }
    }

    /// Temporary name, resume from its size, size check, rename that never overwrites. A final name already
    /// holding a file of the same size is taken as this file; another size is a conflict.
    private func placeOne(_ file: FilePlacement) throws {
        if let existing = try fileSize(file.remotePath) {
            guard existing == file.size else { throw TransportError.conflict(file, existing: existing) }
            return
        }
        try FilePlacement.checkLocalSize(file)
        let temporary = file.temporaryPath
        var offset = try fileSize(temporary) ?? 0
        if offset > file.size {
            try remove(temporary)
            offset = 0
        }
        if offset < file.size || (file.size == 0 && offset == 0) {
            try upload(file.localPath, to: temporary, resumeFrom: offset)
        }
        let uploaded = try fileSize(temporary)
        guard uploaded == file.size else {
            throw TransportError(.sizeMismatch, code: "DELIVERY_SIZE_MISMATCH", path: temporary,
                                 message: "\(uploaded.map(String.init) ?? "missing") bytes after upload, expected \(file.size)")
        }
        do {
            try rename(temporary, to: file.remotePath)
        } catch let error as TransportError where error.kind == .fileExists {
            // A previous attempt renamed it just before being interrupted: keep the one in place if it is whole.
            let existing = try fileSize(file.remotePath)
            try? remove(temporary)
            guard existing == file.size else { throw TransportError.conflict(file, existing: existing ?? 0) }
        }
    }
}

extension FilePlacement {
    /// The bundle's file must still have the size recorded when it was queued.
    static func checkLocalSize(_ file: FilePlacement) throws {
        var info = stat()
        guard stat(file.localPath, &info) == 0 else {
            throw TransportError(.localIO, code: "DELIVERY_LOCAL_MISSING", path: file.localPath,
                                 message: String(cString: strerror(errno)))
        }
        guard UInt64(info.st_size) == file.size else {
            throw TransportError(.localIO, code: "DELIVERY_LOCAL_CHANGED", path: file.localPath,
                                 message: "\(info.st_size) bytes, the bundle recorded \(file.size): the bundle was modified")
        }
    }
}

extension TransportError {
    /// Another file is already under the final name: ddexd never replaces it.
    static func conflict(_ file: FilePlacement, existing: UInt64) -> TransportError {
        TransportError(.remoteConflict, code: "DELIVERY_REMOTE_CONFLICT", path: file.remotePath,
                       message: "already exists on the server with \(existing) bytes, not \(file.size); ddexd never overwrites, remove it or requeue under a new batch")
    }
}
