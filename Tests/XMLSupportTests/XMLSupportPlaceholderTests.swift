import XCTest

final class XMLSupportPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
