import XCTest

final class IntakePlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
