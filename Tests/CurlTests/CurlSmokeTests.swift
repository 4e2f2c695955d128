import XCTest
@testable import Curl

final class CurlSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertEqual(CurlModule.name, "Curl") }
}
