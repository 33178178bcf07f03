import DDEXModel
import Foundation
@testable import Media
import TestSupport
import XCTest

/// Shared plumbing: write bytes under a name, inspect, and assert on the result or the error code.
class InspectorTestCase: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory(prefix: "media")
    }

    override func tearDown() {
        dir = nil
    }

    func inspect(_ bytes: [UInt8], as name: String, chunkSize: Int = MediaInspector.defaultChunkSize) throws -> MeasuredResource {
        let url = try dir.write(Data(bytes), to: name)
        do {
            return try MediaInspector.inspect(fileAt: url, file: ResourceFile(path: name), chunkSize: chunkSize)
        } catch {
            throw error
        }
    }

    func assertProblem(_ bytes: [UInt8], as name: String, _ code: ProblemCode, chunkSize: Int = MediaInspector.defaultChunkSize,
                       file: StaticString = #filePath, line: UInt = #line)
    {
        do {
            let measured = try inspect(bytes, as: name, chunkSize: chunkSize)
            XCTFail("expected \(code), got \(measured.kind)", file: file, line: line)
        } catch let error as MediaError {
            XCTAssertEqual(error.problemCode, code, error.message, file: file, line: line)
            XCTAssertEqual(error.path, name, file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }
}
