import XCTest

final class ERNPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
