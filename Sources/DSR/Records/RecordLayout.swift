/// The cells of one record type in one exact version (DSR Part 8; DSR.md §6).
///
/// Cell order can change between versions, so every lookup goes through the exact versioned type
/// (`SU02.02`, `AS02.03`, `RE02`). Names are the canonical ones this reader uses for every version of a
/// family (`TotalUsages` for SY01.01's `Usages`, `CurrencyOfReporting` for SY02.01's `Currency`), so the
/// typed records read one field by one name whatever the version.
public final class RecordLayout: Sendable {
    /// What a record type is for, whatever its version, so readers dispatch on the family, not the type name.
    public enum Family: Sendable, Equatable {
        case header, footer, summary, release, resource, usage, licensor
        /// A block record this reader does not type (works, UGC id lists, sub-releases).
        case otherBlock
    }

    public let recordType: String
    public let family: Family
    /// Cell names in order; cell 1 (`RecordType`) first.
    public let columns: [String]
    /// A record must carry at least this many cells (its mandatory ones). Missing optional cells after
    /// that are read as empty; surplus cells must be empty (padding).
    public let requiredCellCount: Int
    /// Names of the cells that may hold several `|`-separated values.
    public let multiValued: Set<String>
    /// Positions of the cells the typed records read.
    public let at: Indexes
    /// True for the UGC sales records (SU03.xx), whose SummaryRecordId is conditional and which carry
    /// their own NetRevenue.
    public let isUGCUsage: Bool

    init(_ recordType: String, _ family: Family, required: Int, _ columns: [String], multiValued: Set<String> = []) {
        precondition(columns.first == "RecordType" && required <= columns.count && Set(columns).count == columns.count,
                     "bad layout \(recordType)")
        self.recordType = recordType
        self.family = family
        self.columns = columns
        self.requiredCellCount = required
        self.multiValued = multiValued
        self.at = Indexes(columns: columns)
        self.isUGCUsage = family == .usage && recordType.hasPrefix("SU03")
    }

    /// The 0-based index of the cell called `name`, if this version has it.
    public func index(of name: String) -> Int? { columns.firstIndex(of: name) }

    /// The name of the 0-based cell `index` (for error messages).
    public func columnName(at index: Int) -> String { index < columns.count ? columns[index] : "(surplus cell)" }
}
