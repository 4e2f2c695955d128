import XCTest
@testable import MIME

final class MIMESmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertEqual(MIMEModule.name, "MIME") }
}
