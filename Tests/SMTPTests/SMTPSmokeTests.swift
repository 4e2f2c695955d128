import XCTest
@testable import SMTP

final class SMTPSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertEqual(SMTPModule.name, "SMTP") }
}
