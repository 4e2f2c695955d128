import XCTest
@testable import IMAP

final class IMAPSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertEqual(IMAPModule.name, "IMAP") }
}
