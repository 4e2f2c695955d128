import Foundation
import XCTest
@testable import Touchpoint

/// The shipped, annotated example must always be a valid configuration.
final class ExampleConfigTests: XCTestCase {
    func testShippedExampleParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("deploy/touchpoint.conf.example").path
        let config = try Config.load(path: path)
        XCTAssertEqual(config.mailboxes.map(\.name), ["sales"])
        XCTAssertEqual(config.mailboxes[0].secret, .credential("sales-imap"))
        XCTAssertEqual(config.mailboxes[0].folders, ["INBOX", "\\Sent"])
        XCTAssertEqual(config.smtp?.secret, .credential("smtp"))
    }
}
