/// Where a report's rows go, each with its columns in the order a `DSRRowSink` receives their cells: one list for
/// every engine, so that SQLite's statements and PostgreSQL's COPYs are made from the same columns.
package enum DSRRowTable: Int, CaseIterable, Sendable {
    /// File 1's HEAD onto the report's `dsr_reports` row: an update of the row the load staged, whose id is the
    /// last cell.
    case reportHead
    /// `dsr_report_files`: one row per file, written when the file was read to its end.
    case reportFiles
    case summaries
    case releases
    case resources
    /// `dsr_usage_lines`: sales lines and licensor lines.
    case usageLines

    /// The table the rows go to.
    package var name: String {
        switch self {
        case .reportHead: "dsr_reports"
        case .reportFiles: "dsr_report_files"
        case .summaries: "dsr_summaries"
        case .releases: "dsr_releases"
        case .resources: "dsr_resources"
        case .usageLines: "dsr_usage_lines"
        }
    }

    /// The columns of a row, in cell order (for `reportHead`, the columns set; the row's id follows them).
    package var columns: [String] {
        switch self {
        case .reportHead:
            ["message_id", "message_version", "profile", "profile_version", "created_at", "created_unix_ms", "period_start",
             "period_end", "sender_party_id", "sender_name", "recipient_party_id", "recipient_name", "service_description"]
        case .reportFiles:
            ["report_id", "file_name", "file_number", "number_of_files", "sha256", "size_bytes", "line_count", "block_count"]
        case .summaries:
            ["report_id", "line_number", "record_type", "summary_record_id", "rights_controller", "distribution_channel",
             "distribution_channel_dpid", "commercial_model", "use_type", "territory", "service_description", "total_usages",
             "subscribers", "currency_of_reporting", "net_revenue_micro", "net_revenue_text", "indirect_value_micro",
             "currency_of_transaction", "exchange_rate_text", "rights_controller_party_id", "rights_type", "allocated_usages",
             "allocated_revenue_micro", "allocated_net_revenue_micro"]
        case .releases:
            ["report_id", "file_number", "line_number", "block_id", "record_type", "release_reference", "dsp_release_id",
             "proprietary_release_ids", "catalog_number", "icpn", "display_artist_name", "title", "sub_title", "release_type",
             "label_name", "release_date"]
        case .resources:
            ["report_id", "file_number", "line_number", "block_id", "record_type", "resource_reference", "dsp_resource_id",
             "isrc", "isrcs", "title", "sub_title", "display_artist_name", "duration", "resource_type", "iswc"]
        case .usageLines:
            ["report_id", "file_number", "line_number", "block_id", "record_type", "summary_record_id", "rights_controller",
             "sales_transaction_id", "release_reference", "resource_reference", "dsp_resource_id", "release_id", "resource_id",
             "isrc", "icpn", "use_type", "usages", "returns", "is_royalty_bearing", "price_micro", "net_revenue_micro",
             "allocated_net_revenue_micro", "allocated_amount_micro", "parent_line_id"]
        }
    }

    /// The statement that writes one row, its parameters written by `placeholder` (1-based: SQLite's `?`,
    /// PostgreSQL's `$n`). A file row replaces the row of a load cut short (kept without its digests), which the
    /// next load fills in.
    package func statement(placeholder: (Int) -> String) -> String {
        let parameters = columns.indices.map { placeholder($0 + 1) }
        switch self {
        case .reportHead:
            let assignments = zip(columns, parameters).map { "\($0) = \($1)" }.joined(separator: ", ")
            return "UPDATE \(name) SET \(assignments) WHERE id = \(placeholder(columns.count + 1))"
        case .reportFiles:
            let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            return insert(parameters) + " ON CONFLICT (report_id, file_number) DO UPDATE SET " + updates
        default:
            return insert(parameters)
        }
    }

    private func insert(_ parameters: [String]) -> String {
        "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES (\(parameters.joined(separator: ", ")))"
    }

    /// Whether other rows name a row of this table by its id (`release_id`, `resource_id`, `parent_line_id`), so
    /// that its ids must be known when it is written.
    package var isReferenced: Bool { self == .releases || self == .resources || self == .usageLines }
}

/// Where `DSRRowMapper` writes a report's rows, one row at a time, its cells in `DSRRowTable.columns` order. The
/// engine decides how rows are written (SQLite statements, PostgreSQL COPY) and which id each row gets.
package protocol DSRRowSink {
    /// Starts a row of `table`.
    mutating func begin(_ table: DSRRowTable) throws
    /// An integer cell; nil is NULL.
    mutating func integer(_ value: Int64?) throws
    mutating func text(_ value: String) throws
    /// A text cell given as its UTF-8 bytes, valid only during the call.
    mutating func text(bytes: UnsafeRawBufferPointer) throws
    /// Ends the row and returns its id (meaningful for the tables `DSRRowTable.isReferenced` names).
    mutating func end() throws -> Int64
}

extension DSRRowSink {
    /// An integer cell from an `Int`.
    mutating func integer(_ value: Int) throws { try integer(Int64(value)) }
}
