import DDEXModel
import Foundation
@testable import Intake
import Media
import TestSupport
import XCTest

/// Every code intake can report must be documented in `README.md`.
final class ProblemCodeDocumentationTests: XCTestCase {
    func testEveryDeclaredCodeIsDocumented() throws {
        let doc = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        var declared: [String] = []
        for file in ["Sources/Intake/ProblemCode+Intake.swift", "Sources/Media/ProblemCode+Media.swift"] {
            let source = try String(contentsOf: RepositoryPaths.root.appendingPathComponent(file), encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"ProblemCode = "([A-Z0-9_]+)""#)
            for m in regex.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                declared.append(String(source[Range(m.range(at: 1), in: source)!]))
            }
        }
        XCTAssertGreaterThan(declared.count, 50)
        let modelCodes: [ProblemCode] = [.isrcInvalid, .icpnInvalid, .iswcInvalid, .gridInvalid, .isniInvalid, .dateInvalid,
                                         .durationInvalid, .languageInvalid, .territoryUnknown, .valueNotAllowed]
        for code in declared + modelCodes.map(\.rawValue) {
            XCTAssertTrue(doc.contains("| `\(code)` |"), "\(code) is not in README.md")
        }
    }
}
