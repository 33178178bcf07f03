import XCTest

final class DDEXConfigPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
