/// One file to put on the server under its final name: uploaded to `temporaryPath` (resumed from whatever part of it
/// is there), checked, then placed without ever replacing another file.
public struct SFTPPlacement: Sendable, Hashable {
    public var localPath: String
    public var finalPath: String
    public var temporaryPath: String
    /// The local file's size, as recorded when the file was queued.
    public var size: UInt64

    public init(localPath: String, finalPath: String, temporaryPath: String, size: UInt64) {
        self.localPath = localPath
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
        self.size = size
    }

    /// How one placement ended.
    public enum Result: Sendable, Equatable {
        /// Uploaded from byte `resumedFrom` (0: the whole file) and put in place. `restarted`: the server refused
        /// to reopen the partial file, so it was removed and the file sent again from the start.
        case placed(resumedFrom: UInt64, restarted: Bool)
        /// The final name already held this file: the same bytes (`compared`), or the same size where the server
        /// refuses reading it back.
        case alreadyInPlace(compared: Bool)
    }
}
