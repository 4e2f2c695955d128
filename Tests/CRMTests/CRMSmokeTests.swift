import XCTest
@testable import CRM

final class CRMSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertEqual(CRMModule.name, "CRM") }
}
