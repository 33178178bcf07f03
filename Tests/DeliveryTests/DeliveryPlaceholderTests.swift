import XCTest

final class DeliveryPlaceholderTests: XCTestCase {
    func testModuleLinks() {}
}
