import DSR
import Foundation

/// DSR flat files (plain and gzip) through the reader the loader uses, and DSR file names.
enum DSRTargets {
    static let plainName = "DSR_PADPIDA2019071502R_PADPIDA1314952773X_SpotifyPremium_2020-06-01--2020-06-30_multi_1of1_20200703T075930.tsv"

    static let all = [
        FuzzTarget("dsr-report", "a one-file DSR report (.tsv) read event by event, as the loader reads it") { bytes throws(FuzzViolation) in
            try readReport(bytes, name: plainName)
        },
        FuzzTarget("dsr-report-gzip", "a one-file DSR report (.tsv.gz), the compressed bytes fuzzed") { bytes throws(FuzzViolation) in
            try readReport(bytes, name: plainName + ".gz")
        },
        FuzzTarget("dsr-filename", "a DSR file name; a name that parses prints back to itself") { bytes throws(FuzzViolation) in
            guard let text = String(validating: bytes, as: UTF8.self) else { return }
            let name: DSRFileName
            do {
                name = try DSRFileName(parsing: text)
            } catch {
                try FuzzInvariants.checkRefusal(error, place: text)
                return
            }
            guard let again = try? DSRFileName(parsing: name.text), again == name else {
                throw FuzzViolation("DSR file name \(text) does not read back from its text \(name.text)")
            }
            _ = name.reportKey
        },
    ]

    /// Groups the file as the poller does and pulls every event; a refusal must be coded and name the file.
    static func readReport(_ bytes: [UInt8], name: String) throws(FuzzViolation) {
        let url = try FuzzScratch.shared.write(bytes, as: name)
        let grouped = DSRReportFiles.group(paths: [url.path])
        for error in grouped.rejected { try FuzzInvariants.checkRefusal(error, place: name) }
        for report in grouped.reports {
            let reader = DSRReportReader(report: report, warningLimit: 5)
            do {
                var events = 0
                while try reader.next() != nil { events += 1 }
            } catch {
                try FuzzInvariants.checkRefusal(error, place: name)
            }
            try FuzzInvariants.checkProblems(reader.warnings)
        }
    }
}
