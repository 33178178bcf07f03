extension SFTPClient {
    /// Puts `files` on the server under their final names, pipelined on this one session: while one file's data
    /// streams, the next files are inspected and opened and the previous ones closed, checked and linked, so their
    /// round trips hide behind the data instead of adding up. Data goes one file at a time, in order.
    ///
    /// Each file: its final name and temporary name are looked at together; a partial temporary file is resumed
    /// (reopened for writing; where the server refuses that, as ProFTPD does with `AllowOverwrite off`, appended to;
    /// where it refuses that too, removed and sent again); after the close its size is checked; then it is linked
    /// under its final name with the server's strongest never-overwrite operation (`SFTPServerProfile.Placement`).
    /// A final name already holding the same bytes is success; other bytes are `SFTP_TARGET_CONFLICT`, never
    /// replaced. No temporary file is left behind by a placed file, nor by a conflict.
    ///
    /// `placed` is called once per file as it lands (index into `files`); returning false stops after the files
    /// under way. Throws the first error; files placed before it stay placed.
    /// `progress` is called about every `writeChunkSize` acknowledged bytes of the file streaming, with its bytes
    /// on the server so far.
    public func place(_ files: [SFTPPlacement], progress: ((UInt64) -> Void)? = nil,
                      placed: (Int, SFTPPlacement.Result) -> Bool = { _, _ in true }) throws(SFTPError)
    {
        guard !files.isEmpty else { return }
        let sftp = try live(operation: "upload", path: files.first?.finalPath).sftp
        let placer = SFTPPlacer(client: self, sftp: sftp, files: files, method: placementMethod, progress: progress)
        defer { placementMethod = placer.method }
        try run { () throws(SFTPError) in try placer.run(placed) }
    }
}
