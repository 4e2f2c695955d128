import Foundation
import XCTest

/// The operations deploy/README.md tells an admin to do: re-sync a mailbox by deleting its
/// folder_state rows, and what a UIDVALIDITY reset does. Neither may duplicate anything.
final class ResyncTests: XCTestCase {
    func serveOnce(_ world: ServiceWorld) throws -> TestStack.Result {
        let result = try TestStack.run(TestStack.touchpointBinary, ["--config", world.configPath, "serve", "--once"])
        XCTAssertEqual(result.status, 0, result.error)
        return result
    }

    func counts(_ world: ServiceWorld) throws -> [Int64] {
        [try world.count("SELECT count(*) FROM messages"), try world.count("SELECT count(*) FROM interaction_log")]
    }

    func testDeletingFolderStateResyncsWithoutDuplicates() throws {
        let world = try ServiceWorld()
        try world.addMailbox("sales", messages: 20, batchSize: 7)
        try world.writeConfig()
        _ = try serveOnce(world)
        XCTAssertEqual(try counts(world), [20, 20])
        // The SQL from deploy/README.md, "Re-sync a mailbox".
        try world.database.connect().query("DELETE FROM folder_state WHERE mailbox_id = (SELECT id FROM mailboxes WHERE name = 'sales')")
        let again = try serveOnce(world)
        XCTAssertTrue(again.error.contains("event=folder.first-sync"), again.error)
        XCTAssertTrue(again.error.contains("event=batch.committed"), "the folder was fetched again")
        XCTAssertEqual(try counts(world), [20, 20])
        XCTAssertEqual(try world.count("SELECT last_uid FROM folder_state"), 20)
    }

    func testUIDValidityResetIsLoggedAndDuplicatesNothing() throws {
        let world = try ServiceWorld()
        let login = try world.addMailbox("sales", messages: 12)
        try world.writeConfig()
        _ = try serveOnce(world)
        try world.stack.stack(["recreate-folder", login.user, "INBOX"])
        let again = try serveOnce(world)
        let warning = try XCTUnwrap(again.error.split(separator: "\n").map(String.init)
            .first { $0.contains("event=folder.uidvalidity-changed") }, again.error)
        let fields = try XCTUnwrap(LoggerTests.parseLogfmt(warning))
        XCTAssertEqual(fields["level"], "warn")
        XCTAssertNotEqual(fields["old"], fields["new"])
        XCTAssertEqual(try counts(world), [12, 12])
        XCTAssertEqual(try world.count("SELECT count(DISTINCT uidvalidity) FROM message_locations"), 2, "old locations are kept, not deleted")
    }
}
