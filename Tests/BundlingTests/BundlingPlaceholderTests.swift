import XCTest

final class BundlingPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
