import DDEXModel
import DSR

// The records built from values, for engines that decode their rows themselves (PostgreSQL).

extension DSRStoredReport {
    /// A report row from its values, for engines that decode their rows themselves.
    package static func values(id: Int64, state: DSRReportState, supersededBy: Int64?, key: DSRReportKey, numberOfFiles: Int,
                               messageId: String?, createdAt: String?, lineCount: Int?, usageLineCount: Int?) -> DSRStoredReport
    {
        DSRStoredReport(id: id, state: state, supersededBy: supersededBy, key: key, numberOfFiles: numberOfFiles,
                        messageId: messageId, createdAt: createdAt, lineCount: lineCount, usageLineCount: usageLineCount)
    }

    /// The state a `dsr_reports.state` text stands for; `STORE_DECODE` for a state no report row has.
    package static func state(reportRow text: String) throws(StoreError) -> DSRReportState {
        guard let state = DSRReportState(rawValue: text), state.reportRowState == text else {
            throw StoreError(.decode, message: "dsr_reports.state holds '\(text)', which is no state of a report row")
        }
        return state
    }
}

extension DSRFetchRecord {
    /// A fetched file's row from its values, for engines that decode their rows themselves.
    package static func values(id: Int64, dsp: String, remotePath: String, fileName: String, size: UInt64, remoteModified: Double?,
                               sha256: String, localPath: String, reportKey: String, reportId: Int64?, state: DSRReportState,
                               errorCode: String?, errorMessage: String?, afterFetch: DSRAfterFetch?, fetchedAt: String,
                               updatedAt: String) -> DSRFetchRecord
    {
        DSRFetchRecord(id: id, dsp: dsp, remotePath: remotePath, fileName: fileName, size: size, remoteModified: remoteModified,
                       sha256: sha256, localPath: localPath, reportKey: reportKey, reportId: reportId, state: state,
                       errorCode: errorCode, errorMessage: errorMessage, afterFetch: afterFetch, fetchedAt: fetchedAt,
                       updatedAt: updatedAt)
    }

    /// The state a `dsr_fetches.state` text stands for; `STORE_DECODE` for a state no fetched file has.
    package static func state(fetchRow text: String) throws(StoreError) -> DSRReportState {
        guard let state = [DSRReportState.fetched, .loaded, .failed].first(where: { $0.fetchRowState == text }) else {
            throw StoreError(.decode, message: "dsr_fetches.state holds '\(text)', which is no state of a fetched file")
        }
        return state
    }

    /// The action a `dsr_fetches.after_fetch` text stands for; `STORE_DECODE` for an unknown one.
    package static func afterFetch(_ text: String?) throws(StoreError) -> DSRAfterFetch? {
        guard let text else { return nil }
        guard let action = DSRAfterFetch(rawValue: text) else {
            throw StoreError(.decode, message: "dsr_fetches.after_fetch holds '\(text)', which is no DSRAfterFetch")
        }
        return action
    }
}
