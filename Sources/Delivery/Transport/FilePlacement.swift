/// One local file to put on a DSP's server under its final name (paths relative to the transport's root).
public struct FilePlacement: Sendable, Hashable {
    public var localPath: String
    public var remotePath: String
    /// The size the bundle recorded: the file must have it locally and, once placed, on the server.
    public var size: UInt64

    public init(localPath: String, remotePath: String, size: UInt64) {
        self.localPath = localPath
        self.remotePath = remotePath
        self.size = size
    }

    /// The temporary name the file is uploaded under: hidden, beside its final name, and the same on every attempt
    /// so that an interrupted upload can be resumed.
    public var temporaryPath: String { Self.temporaryPath(for: remotePath) }

    /// `<folder>/.<name>.ddexd-part` for `<folder>/<name>`: a pure function of the final name, so every attempt
    /// and every process finds the same partial file.
    public static func temporaryPath(for remotePath: String) -> String {
        guard let slash = remotePath.lastIndex(of: "/") else { return "." + remotePath + ".ddexd-part" }
        return String(remotePath[...slash]) + "." + remotePath[remotePath.index(after: slash)...] + ".ddexd-part"
    }
}
