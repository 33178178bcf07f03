import Foundation

/// What `place(_:at:)` did.
public struct Placement: Sendable, Hashable {
    /// The file's size (local = remote).
    public var size: UInt64
    /// Bytes that were already on the other side in the temporary file and were not sent again.
    public var resumedFrom: UInt64
    /// The final name already held a file of the same size (an earlier attempt finished but was not recorded).
    public var wasAlreadyPresent: Bool

    public init(size: UInt64, resumedFrom: UInt64, wasAlreadyPresent: Bool) {
        self.size = size
        self.resumedFrom = resumedFrom
        self.wasAlreadyPresent = wasAlreadyPresent
    }
}

extension DeliveryTransport {
    /// The temporary name a file is uploaded under before it is renamed to `path`: in the same folder (so the
    /// rename stays on one file system), hidden (leading dot), and not ending in the final extension (so a DSP
    /// watching for `*.xml` or `BatchComplete*` ignores it). `token` (e.g. the start of the file's MD5) keeps a
    /// leftover from a different file's attempt from being resumed.
    public static func temporaryPath(for path: String, token: String? = nil) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return folder + "." + name + (token.map { ".\($0)" } ?? "") + ".ddexd-part"
    }

    /// Puts a local file at `path` so that the final name only ever holds a complete file:
    /// upload to `temporaryPath(for:token:)` (resuming a partial temporary file from its size), compare the remote
    /// size with the local size, then rename into place (which never overwrites).
    ///
    /// - If `path` already holds a file of the local size, nothing is sent (`wasAlreadyPresent`); a file of another
    ///   size there is an `alreadyExists` error, because ddexd never overwrites.
    /// - A failed upload leaves the temporary file for the next attempt to resume; a size mismatch removes it.
    /// - One file name must be placed by one transport at a time (the temporary name is deterministic).
    @discardableResult
    public func place(_ localFile: URL, at path: String, token: String? = nil,
                      progress: (@Sendable (UInt64) -> Void)? = nil) async throws(TransportError) -> Placement
    {
        let size: UInt64
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: localFile.path)
            size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
        } catch {
            throw TransportError(.localIO, code: "TRANSPORT_LOCAL_FILE_UNREADABLE", path: localFile.path,
                                 message: "cannot read the file to deliver", isRetryable: false)
        }

        if let existing = try await stat(path) {
            guard existing.kind == .file, existing.size == size else {
                throw TransportError(.alreadyExists, code: "TRANSPORT_TARGET_EXISTS", path: path,
                                     message: "a different \(existing.kind.rawValue) (\(existing.size) bytes, local "
                                         + "file \(size) bytes) already has this name; ddexd never overwrites",
                                     isRetryable: false)
            }
            return Placement(size: size, resumedFrom: size, wasAlreadyPresent: true)
        }

        let temporary = Self.temporaryPath(for: path, token: token)
        var resumeFrom: UInt64 = 0
        if let partial = try await stat(temporary), partial.kind == .file {
            if partial.size <= size {
                resumeFrom = partial.size
            } else {
                try await remove(temporary)
            }
        }
        if resumeFrom < size || size == 0 {
            try await upload(localFile, to: temporary, resumeFrom: resumeFrom, progress: progress)
        }

        let uploaded = try await stat(temporary)
        guard let uploaded, uploaded.size == size else {
            try? await remove(temporary)
            throw TransportError(.sizeMismatch, code: "TRANSPORT_SIZE_MISMATCH", path: temporary,
                                 message: "the uploaded file has \(uploaded?.size ?? 0) bytes, the local file \(size); "
                                     + "the partial file was removed", isRetryable: true)
        }
        try await rename(temporary, to: path)
        return Placement(size: size, resumedFrom: resumeFrom, wasAlreadyPresent: false)
    }
}
