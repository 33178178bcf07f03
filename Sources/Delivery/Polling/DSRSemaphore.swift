import DSR

/// The zero-byte `.ctrl` files a DSP places once a DSR report is completely uploaded (CHOREOGRAPHY.md §7).
/// All three published forms are accepted (the size is not checked):
///
/// - `DSR_<recipient>_<sender>_<service>_<period>_<territory>_<created>.ctrl` (XofY removed; an empty XofY
///   element, `…_<territory>__<created>.ctrl`, is read the same);
/// - the same with the prefix `ACK_` instead of `DSR_` (the current text, for cloud storage);
/// - `file_available/_<name>.ctrl` in a subfolder (an early draft), where `<name>` is the report name.
///
/// `.tsv.ctrl` and `.tsv.gz.ctrl` endings are tolerated too.
public enum DSRSemaphore {
    /// The subfolder of the early-draft form.
    public static let fileAvailableFolder = "file_available"

    /// The report a semaphore file announces, or nil when `name` is not a semaphore.
    /// `inFileAvailable` is true for names listed in `file_available/`.
    public static func reportKey(semaphore name: String, inFileAvailable: Bool = false) -> DSRReportKey? {
        guard name.hasSuffix(".ctrl") else { return nil }
        var stem = Substring(name.dropLast(5))
        if inFileAvailable, stem.hasPrefix("_") { stem = stem.dropFirst() }
        if stem.hasPrefix("ACK_") { stem = Substring("DSR_" + stem.dropFirst(4)) }
        guard stem.hasPrefix("DSR_") else { return nil }
        for suffix in [".tsv.gz", ".tsv"] where stem.hasSuffix(suffix) {
            stem = stem.dropLast(suffix.count)
            break
        }
        return try? DSRFileName(parsing: stem + ".tsv").reportKey
    }
}
