import DSR
import Foundation
import TestSupport
import XCTest

final class DSRFileNameTests: XCTestCase {
    func testSampleAndGeneratorNames() throws {
        let orfium = try DSRFileName(parsing: "DSR_PADPIDA00123456743_PADPIDA0123456766K_UnlimitedMusicMonthly_2020-06-01--2020-06-30__1of1_20200703T075930.tsv")
        XCTAssertEqual(orfium.recipient, "PADPIDA00123456743")
        XCTAssertEqual(orfium.sender, "PADPIDA0123456766K")
        XCTAssertEqual(orfium.service, "UnlimitedMusicMonthly")
        XCTAssertEqual(orfium.period.kind, .range)
        XCTAssertEqual(orfium.territory, "")
        XCTAssertEqual(orfium.fileNumber, 1)
        XCTAssertEqual(orfium.numberOfFiles, 1)
        XCTAssertFalse(orfium.isGzip)

        let youtube = try DSRFileName(parsing: "DSR_TEST_YouTube_AdSupport-music_2015-Q4_IS_1of1_20160121T150926.tsv")
        XCTAssertEqual(youtube.period.kind, .quarter)
        XCTAssertEqual(youtube.territory, "IS")

        let generated = try DSRFileName(parsing: "DSR_PADPIDA2019071502R_PADPIDA1314952773X_SpotifyPremium_2020-06-01--2020-06-30_multi_2of3_20200703T075930.tsv.gz")
        XCTAssertEqual(generated.territory, "multi")
        XCTAssertEqual(generated.fileNumber, 2)
        XCTAssertEqual(generated.numberOfFiles, 3)
        XCTAssertTrue(generated.isGzip)
        XCTAssertEqual(generated.reportKey, try DSRFileName(parsing: "DSR_PADPIDA2019071502R_PADPIDA1314952773X_SpotifyPremium_2020-06-01--2020-06-30_multi_3of3_20200703T075930.tsv.gz").reportKey)
    }

    func testEveryPeriodTerritoryAndTimestampForm() throws {
        for period in ["2020", "2020-06", "2020-06-15", "2015-Q4", "2020-W07", "2020-06-01--2020-06-30"] {
            XCTAssertNoThrow(try DSRFileName(parsing: "DSR_R_S_Svc_\(period)_GB_1of1_20200703T075930.tsv"), period)
        }
        for territory in ["", "multi", "Worldwide", "US", "2136", "840"] {
            XCTAssertEqual(try DSRFileName(parsing: "DSR_R_S_Svc_2020-06_\(territory)_1of1_20200703T075930.tsv").territory, territory)
        }
        XCTAssertEqual(try DSRFileName(parsing: "DSR_R_S_Svc_2020-06_GB_1of1_20200703T075930.123.tsv").created, "20200703T075930.123")
        XCTAssertEqual(try DSRFileName(parsing: "DSR_R_S_Svc_2020-06_GB_1of1_20200703T075930123.tsv").created, "20200703T075930123")
        // XofY omitted, with or without its underscore.
        XCTAssertEqual(try DSRFileName(parsing: "DSR_R_S_Svc_2020-06_GB_20200703T075930.tsv").hasFileCount, false)
        XCTAssertEqual(try DSRFileName(parsing: "DSR_R_S_Svc_2020-06_GB__20200703T075930.tsv").numberOfFiles, 1)
        XCTAssertEqual(try DSRFileName(parsing: "DSR__S__2020-06___20200703T075930.tsv").recipient, "")
    }

    func testBadNames() {
        for name in [
            "DSR_R_S_Svc_2020-06_GB_1of1_20200703T075930.csv",
            "XSR_R_S_Svc_2020-06_GB_1of1_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-13_GB_1of1_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-Q5_GB_1of1_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-06-30--2020-06-01_GB_1of1_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-06_Great Britain_1of1_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-06_gb_1of1_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-06_GB_3of2_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-06_GB_0of2_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-06_GB_1of1_20200703075930.tsv",
            "DSR_R_S_Svc_2020-06_GB_1of1_20200732T075930.tsv",
            "DSR_R__Svc_2020-06_GB_1of1_20200703T075930.tsv",
            "DSR_R_S_Svc_2020-06_GB_1of1_x_20200703T075930.tsv",
            "DSR_R_S.tsv",
        ] {
            assertDSRError(.fileName) { try DSRFileName(parsing: name) }
        }
    }

    func testGroupingFindsMissingAndDoubledFiles() {
        let base = "DSR_R_S_Svc_2020-06_GB_%@_20200703T075930.tsv"
        let paths = ["1of3", "3of3"].map { "/x/" + base.replacingOccurrences(of: "%@", with: $0) }
            + ["/x/DSR_R_S_Svc_2020-07_GB_1of1_20200803T075930.tsv", "/x/bad.tsv"]
        let grouped = DSRReportFiles.group(paths: paths)
        XCTAssertEqual(grouped.reports.count, 1)
        XCTAssertEqual(grouped.reports.first?.key.period, "2020-07")
        XCTAssertEqual(Set(grouped.rejected.map(\.kind)), [.missingFile, .fileName])
        XCTAssertTrue(grouped.rejected.contains { $0.kind == .missingFile && $0.message.contains("file(s) 2 of 3") })
        let doubled = DSRReportFiles.group(paths: ["/a/" + base.replacingOccurrences(of: "%@", with: "1of1"),
                                                   "/b/" + base.replacingOccurrences(of: "%@", with: "1of1")])
        XCTAssertEqual(doubled.rejected.map(\.kind), [.reportInconsistent])
    }
}
