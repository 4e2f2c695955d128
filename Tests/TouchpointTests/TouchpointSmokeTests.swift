import XCTest
@testable import Touchpoint

final class TouchpointSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertEqual(TouchpointModule.name, "Touchpoint") }
}
