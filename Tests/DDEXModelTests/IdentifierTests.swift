import DDEXModel
import XCTest

final class IdentifierTests: XCTestCase {
    func testISRCWorkedExamples() {
        XCTAssertNoThrow(try ISRC(validating: "JPTO09404900"))
        XCTAssertNoThrow(try ISRC(validating: "GBAHT0900445"))
        XCTAssertEqual(try ISRC(validating: "gbaht0900445").value, "GBAHT0900445")
        for bad in ["JP-TO0-94-04900", "JPTO0940490", "1PTO09404900", ""] {
            XCTAssertThrowsError(try ISRC(validating: bad), bad) { XCTAssertEqual(($0 as? IdentifierError)?.code, .isrcInvalid) }
        }
    }

    func testICPNWorkedExamples() {
        for good in ["5901234123457", "00094631432057", "036000291452", "0094631432057"] {
            XCTAssertEqual(try ICPN(validating: good).value, good)
        }
        for bad in ["00094631432058", "94631432057", "59012341234X7", "5901234123456"] {
            XCTAssertThrowsError(try ICPN(validating: bad), bad) { XCTAssertEqual(($0 as? IdentifierError)?.code, .icpnInvalid) }
        }
    }

    func testISWCWorkedExamples() {
        for good in ["T0345246801", "T0000000010", "T9109247316"] { XCTAssertNoThrow(try ISWC(validating: good), good) }
        for bad in ["T0345246802", "T-034.524.680-1", "T034524680"] {
            XCTAssertThrowsError(try ISWC(validating: bad), bad) { XCTAssertEqual(($0 as? IdentifierError)?.code, .iswcInvalid) }
        }
    }

    func testGRidWorkedExamples() {
        XCTAssertNoThrow(try GRid(validating: "A12425GABC1234002M"))
        XCTAssertNoThrow(try GRid(validating: "A10302B0001234567I"))
        for bad in ["A10302B0001234567X", "A1-2425G-ABC1234002-M", "B12425GABC1234002M"] {
            XCTAssertThrowsError(try GRid(validating: bad), bad) { XCTAssertEqual(($0 as? IdentifierError)?.code, .gridInvalid) }
        }
    }

    func testDPIDWorkedExamples() {
        for good in ["PADPIDA3897722461G", "PADPIDA2014122301Q", "PADPIDA2013020802I", "PADPIDA2011111602K"] {
            XCTAssertNoThrow(try DPID(validating: good), good)
        }
        for bad in ["PADPIDA2014999999Z", "PADPIDA0123456766K", "PADPIDA2014101001U", "PA-DPIDA-3897722461-G"] {
            XCTAssertThrowsError(try DPID(validating: bad), bad) { XCTAssertEqual(($0 as? IdentifierError)?.code, .dpidInvalid) }
        }
    }

    func testISNIWorkedExamples() {
        for good in ["0000000114819103", "0000000081266409", "0000000218250097", "000000012146438X"] {
            XCTAssertNoThrow(try ISNI(validating: good), good)
        }
        XCTAssertThrowsError(try ISNI(validating: "0000000114819104"))
        XCTAssertThrowsError(try ISNI(validating: "0000 0001 1481 9103"))
    }

    func testIdentifiersDecodeOnlyValidValuesFromJSON() throws {
        let ok = try JSONDecoder().decode([ISRC].self, from: Data(#"["GBAYE0601498"]"#.utf8))
        XCTAssertEqual(ok.first?.value, "GBAYE0601498")
        XCTAssertThrowsError(try JSONDecoder().decode([ICPN].self, from: Data(#"["00094631432058"]"#.utf8)))
    }
}
