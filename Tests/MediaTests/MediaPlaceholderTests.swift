import XCTest

final class MediaPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
