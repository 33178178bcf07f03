import DDEXModel
import XCTest

/// The one splits.csv reader, as a package's splits.csv and `ddexd import splits` both read it.
final class SplitsCSVReaderTests: XCTestCase {
    let isrcs: Set<ISRC> = [try! ISRC(validating: "GBAYE0601498"), try! ISRC(validating: "GBAYE0601499")]

    func read(_ text: String, known: Bool = true) -> SplitsCSVReader.Result {
        SplitsCSVReader().read(bytes: Array(text.utf8), relativePath: "splits.csv", knownISRCs: known ? isrcs : nil)
    }

    func codes(_ text: String, known: Bool = true) -> [ProblemCode] { read(text, known: known).problems.map(\.code) }

    func problem(_ result: SplitsCSVReader.Result, _ code: ProblemCode, at location: String,
                 file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(result.problems.contains { $0.code == code && $0.location == location },
                      "no \(code) at \(location) in \(result.problems)", file: file, line: line)
    }

    func testValidFileWithQuotesAndCRLF() throws {
        let r = read("\u{FEFF}isrc,payee,share_bp\r\nGBAYE0601499,Solo,10000\r\nGBAYE0601498,\"Doe, \"\"JD\"\" Jane\",2500\r\ngbaye0601498,Band,7500")
        XCTAssertEqual(r.problems, [])
        XCTAssertEqual(r.splits[try ISRC(validating: "GBAYE0601498")], [Split(payee: "Doe, \"JD\" Jane", shareBasisPoints: 2500), Split(payee: "Band", shareBasisPoints: 7500)])
        XCTAssertEqual(r.tracks.map(\.isrc.value), ["GBAYE0601499", "GBAYE0601498"], "ISRCs in the order of their first row")
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
        problem(r, .splitsSumInvalid, at: "splits.csv:2: GBAYE0601498")
        problem(r, .isrcInvalid, at: "splits.csv:4: isrc")
        problem(r, .splitsUnknownISRC, at: "splits.csv:5: isrc")
        problem(r, .splitShareInvalid, at: "splits.csv:6: share_bp")
        problem(r, .splitsCSVSyntax, at: "splits.csv:7")
        XCTAssertTrue(r.splits.isEmpty)
    }

    func testHeaderAndSyntax() {
        XCTAssertEqual(codes("isrc;payee;share\nx"), [.splitsCSVSyntax])
        XCTAssertEqual(codes(""), [.splitsCSVSyntax])
        XCTAssertEqual(codes("isrc,payee,share_bp\nGBAYE0601498,\"open,10000"), [.splitsCSVSyntax])
        XCTAssertEqual(SplitsCSVReader().read(bytes: [0x69, 0xFF], relativePath: "splits.csv").problems.map(\.code), [.splitsCSVSyntax])
        XCTAssertEqual(codes("isrc,payee,share_bp\nGBAYE0601498,A,5000\nGBAYE0601498,A,5000"), [.splitPayeeDuplicate])
        XCTAssertEqual(codes("isrc,payee,share_bp\nGBAYE0601498,A,-1"), [.splitShareInvalid])
    }

    /// Where the package reader and the ledger import disagreed, the stricter rule holds for both.
    func testTheStricterRuleOfEither() {
        let header = "isrc,payee,share_bp\n"
        XCTAssertEqual(codes("ISRC,Payee,Share_BP\nGBAYE0601498,A,10000\n"), [.splitsCSVSyntax], "the header exactly")
        XCTAssertEqual(codes(header + "GBAYE0601498,A,10000\n\n"), [.splitsCSVSyntax], "a blank line is a row of 1 cell")
        XCTAssertEqual(codes(header + "GBAYE0601498,A,10000\rGBAYE0601499,B,10000\n"), [.splitsCSVSyntax], "a lone CR")
        XCTAssertEqual(codes(header + "GBAYE0601498, \"A\",10000\n"), [.splitsCSVSyntax], "a quote after a space")
        XCTAssertEqual(codes(header + "GBAYE0601498,\"A\" ,10000\n"), [.splitsCSVSyntax], "a space after the closing quote")
        XCTAssertEqual(codes(header + " GBAYE0601498,A,10000\n"), [.isrcInvalid], "an ISRC with spaces")
        XCTAssertEqual(codes(header + "GBAYE0601498, A,10000\n"), [.splitPayeeInvalid], "a padded payee")
        XCTAssertEqual(codes(header + "GBAYE0601498,,10000\n"), [.splitPayeeInvalid], "an empty payee")
        XCTAssertEqual(codes(header + "GBAYE0601498,A, 10000\n"), [.splitShareInvalid], "a padded share")
        XCTAssertEqual(codes(header + "GBAYE0601498,A,+10000\n"), [.splitShareInvalid], "a signed share")
        XCTAssertEqual(codes(header + "GBAYE0601498,A,5000.0\n"), [.splitShareInvalid], "a decimal share")
        XCTAssertEqual(codes(header + "GBAYE0601498,Bad\u{7}Payee,10000\n"), [.textControlCharacter], "TextRules")
    }

    func testWithoutKnownISRCsEveryValidISRCIsTaken() {
        let r = read("isrc,payee,share_bp\nGBAYE0609999,A,10000\n", known: false)
        XCTAssertEqual(r.problems, [])
        XCTAssertEqual(r.tracks.map(\.isrc.value), ["GBAYE0609999"])
    }
}

final class CSVTokenizerTests: XCTestCase {
    func testFieldsQuotesAndLines() throws {
        let records = try CSVTokenizer.records(in: Array("\u{FEFF}a,\"b,\"\"c\"\"\"\r\n\"two\nlines\",\nlast,".utf8))
        XCTAssertEqual(records, [
            .init(fields: ["a", "b,\"c\""], line: 1), .init(fields: ["two\nlines", ""], line: 2), .init(fields: ["last", ""], line: 4),
        ])
    }

    func testChunksAnywhereGiveTheSameRecords() throws {
        let bytes = Array("x,\"y\r\nz\"\r\n1,2\n".utf8)
        let whole = try CSVTokenizer.records(in: bytes)
        for cut in 0...bytes.count {
            var tokenizer = CSVTokenizer()
            var records = try tokenizer.feed(bytes[..<cut]) + tokenizer.feed(bytes[cut...])
            if let last = try tokenizer.finish() { records.append(last) }
            XCTAssertEqual(records, whole, "cut at \(cut)")
        }
    }

    func testErrorsNameTheirLineAfterTheRecordsBeforeThem() throws {
        var tokenizer = CSVTokenizer()
        XCTAssertEqual(try tokenizer.feed(Array("ok\nbad \"quote\"\n".utf8)).map(\.fields), [["ok"]])
        XCTAssertThrowsError(try tokenizer.finish()) { XCTAssertEqual(($0 as? CSVTokenizer.SyntaxError)?.line, 2) }
        for text in ["a\rb\n", "\"a\"b\n", "\"open\n", "a\"b\n"] {
            XCTAssertThrowsError(try CSVTokenizer.records(in: Array(text.utf8)), text)
        }
        XCTAssertThrowsError(try CSVTokenizer.records(in: [0x61, 0xFF, 0x0A]))
    }
}
