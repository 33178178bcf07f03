import XCTest

final class SFTPPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
