import XCTest

final class DSRPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
