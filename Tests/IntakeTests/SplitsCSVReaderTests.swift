import DDEXModel
@testable import Intake
import XCTest

final class SplitsCSVReaderTests: XCTestCase {
    let isrcs: Set<ISRC> = [try! ISRC(validating: "GBAYE0601498"), try! ISRC(validating: "GBAYE0601499")]

    func read(_ text: String) -> SplitsCSVReader.Result {
        SplitsCSVReader().read(bytes: Array(text.utf8), relativePath: "splits.csv", knownISRCs: isrcs)
    }

    func testValidFileWithQuotesAndCRLF() throws {
        let r = read("\u{FEFF}isrc,payee,share_bp\r\nGBAYE0601498,\"Doe, \"\"JD\"\" Jane\",2500\r\ngbaye0601498,Band,7500\r\n\r\nGBAYE0601499,Solo,10000")
        XCTAssertEqual(r.problems, [])
        XCTAssertEqual(r.splits[try ISRC(validating: "GBAYE0601498")], [Split(payee: "Doe, \"JD\" Jane", shareBasisPoints: 2500), Split(payee: "Band", shareBasisPoints: 7500)])
        XCTAssertEqual(r.splits[try ISRC(validating: "GBAYE0601499")], [Split(payee: "Solo", shareBasisPoints: 10000)])
    }

    func testEveryRowProblemHasItsLine() {
        let r = read("""
        isrc,payee,share_bp
        GBAYE0601498,A,5000
        GBAYE0601498,B,4000
        GB-AYE-06-01499,C,10000
        GBAYE0609999,D,10000
        GBAYE0601499,E,ten
        GBAYE0601499,F
        """)
        XCTAssertHasProblem(r.problems, .splitsSumInvalid, locationContains: "splits.csv:2: GBAYE0601498")
        XCTAssertHasProblem(r.problems, .isrcInvalid, locationContains: "splits.csv:4: isrc")
        XCTAssertHasProblem(r.problems, .splitsUnknownISRC, locationContains: "splits.csv:5: isrc")
        XCTAssertHasProblem(r.problems, .splitShareInvalid, locationContains: "splits.csv:6: share_bp")
        XCTAssertHasProblem(r.problems, .splitsCSVSyntax, locationContains: "splits.csv:7")
        XCTAssertTrue(r.splits.isEmpty)
    }

    func testHeaderAndSyntax() {
        XCTAssertEqual(read("isrc;payee;share\nx").problems.codes(), [.splitsCSVSyntax])
        XCTAssertEqual(read("").problems.codes(), [.splitsCSVSyntax])
        XCTAssertEqual(read("isrc,payee,share_bp\nGBAYE0601498,\"open,10000").problems.codes(), [.splitsCSVSyntax])
        XCTAssertEqual(SplitsCSVReader().read(bytes: [0x69, 0xFF], relativePath: "splits.csv", knownISRCs: isrcs).problems.codes(), [.splitsCSVSyntax])
        XCTAssertEqual(read("isrc,payee,share_bp\nGBAYE0601498,A,5000\nGBAYE0601498,A,5000").problems.codes(), [.splitPayeeDuplicate])
        XCTAssertEqual(read("isrc,payee,share_bp\nGBAYE0601498,A,-1").problems.codes(), [.splitShareInvalid])
    }
}
