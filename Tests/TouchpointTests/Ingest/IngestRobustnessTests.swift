import Foundation
import Postgres
import XCTest
@testable import Touchpoint

/// Crashes, restarts and server-side surprises during a sync: each must converge to the same
/// interaction log as an undisturbed run, with nothing duplicated and nothing lost.
final class IngestRobustnessTests: XCTestCase {
    typealias World = SyntheticWorld

    func makeWorld(count: Int, extraConfig: String = "", importContacts: Bool = true,
                   seed: String = String(UUID().uuidString.prefix(6).lowercased())) throws -> World {
        try SyntheticWorld.make(count: count, extraConfig: extraConfig, importContacts: importContacts, seed: seed)
    }

    func cleanUp(_ world: World) { world.cleanUp() }

    func interactionLog(_ world: World) throws -> [String] {
        try world.database.connect().query("""
            SELECT message_id || ' ' || direction || ' ' || coalesce(contact_email, '-') FROM interaction_log ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
    }

    /// The log a clean run must produce: every non-newsletter message, one interaction each.
    func expectedCount(_ count: Int) -> Int { (1...count).filter { $0 % 11 != 0 }.count }

    func serveOnce(_ world: World) throws -> TestStack.Result {
        try TestStack.run(TestStack.touchpointBinary, ["--config", world.config, "serve", "--once"])
    }

    func testKillDashNineDuringFirstSyncConvergesToTheCleanLog() throws {
        let count = 20_000
        let world = try makeWorld(count: count)
        defer { cleanUp(world) }
        var kills = 0
        var generator = SystemRandomNumberGenerator()
        while kills < 20 {
            let pid = try TestStack.spawn(TestStack.touchpointBinary, ["--config", world.config, "--log-level", "warn", "serve", "--once"],
                                          stderr: "/dev/null")
            // Short enough that 20 kills land before even a fast first sync ends (the whole
            // sync takes a few seconds once commits overlap parsing), long enough to reach
            // the fetch and the commits, not only the start-up.
            Thread.sleep(forTimeInterval: Double.random(in: 0.02...0.3, using: &generator))
            if TestStack.hasExited(pid) { break }
            kill(pid, SIGKILL)
            _ = TestStack.wait(pid)
            kills += 1
        }
        let final = try serveOnce(world)
        XCTAssertEqual(final.status, 0, final.error)
        let log = try interactionLog(world)
        XCTAssertEqual(log.count, Set(log).count, "no duplicates after \(kills) kills")
        XCTAssertGreaterThanOrEqual(kills, 20, "the sync was interrupted 20 times")
        // Row for row what an undisturbed sync of this mail logs.
        XCTAssertTrue(log == world.expectedLog, "after \(kills) kills: \(log.count) rows, expected \(world.expectedLog.count)")
        let messages = try world.database.connect().query("SELECT count(*) FROM messages").scalar(Int64.self)
        XCTAssertEqual(Int(messages), expectedCount(count))
    }

    func testUIDValidityChangeRescansWithoutDuplicates() throws {
        let world = try makeWorld(count: 300)
        defer { cleanUp(world) }
        XCTAssertEqual(try serveOnce(world).status, 0)
        let before = try interactionLog(world)
        XCTAssertEqual(before, world.expectedLog)
        try world.stack.stack(["recreate-folder", world.login.user, "INBOX"])
        let after = try serveOnce(world)
        XCTAssertEqual(after.status, 0, after.error)
        XCTAssertTrue(after.error.contains("event=folder.uidvalidity-changed"), after.error)
        XCTAssertEqual(try interactionLog(world), before, "a rescan re-finds every message and adds nothing")
    }

    func testDeletedFolderIsReportedAndNothingIsDeleted() throws {
        let world = try makeWorld(count: 50, extraConfig: "")
        defer { cleanUp(world) }
        let config = try String(contentsOfFile: world.config, encoding: .utf8)
        try config.replacingOccurrences(of: "folders = INBOX", with: "folders = INBOX, Archive/Gone")
            .write(toFile: world.config, atomically: true, encoding: .utf8)
        let run = try serveOnce(world)
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.error.contains("event=folder.missing"), run.error)
        XCTAssertEqual(try interactionLog(world), world.expectedLog)
    }

    func testDatabaseAndIMAPRestartsDuringServeConverge() throws {
        let count = 6_000
        let world = try makeWorld(count: count)
        defer { cleanUp(world) }
        let logPath = world.dir.appendingPathComponent("serve.log").path
        let pid = try TestStack.spawn(TestStack.touchpointBinary, ["--config", world.config, "serve"], stderr: logPath)
        Thread.sleep(forTimeInterval: 0.3)
        try world.stack.stack(["restart", "pg"])
        Thread.sleep(forTimeInterval: 0.3)
        try world.stack.stack(["restart", "dovecot"])
        // New mail arrives while the daemon runs.
        let late = try SyntheticMailbox.write(count: 30, to: world.dir.appendingPathComponent("late"), seed: "late")
        try world.stack.stack(["load-mail", world.login.user, "INBOX", late.directory.path])
        let deadline = Date().addingTimeInterval(90)
        var logged = 0
        while Date() < deadline {
            logged = (try? interactionLog(world).count) ?? logged
            if logged >= expectedCount(count) + expectedCount(30) { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        kill(pid, SIGTERM)
        let status = TestStack.wait(pid)
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        XCTAssertEqual(status, 0, "SIGTERM ends the daemon cleanly")
        let rows = try interactionLog(world)
        XCTAssertEqual(rows.count, Set(rows).count)
        XCTAssertEqual(rows.count, expectedCount(count) + expectedCount(30), log.suffix(3000).description)
        XCTAssertTrue(log.contains("event=service.stopped"), log.suffix(2000).description)
    }

    /// `unmatched = create`: with no contacts at all, every external sender becomes a contact and
    /// every human message is logged; a second run creates nothing new.
    func testCreatePolicyMakesContactsAndLogsEveryMessage() throws {
        let world = try makeWorld(count: 120, extraConfig: "[matching]\nunmatched = create", importContacts: false)
        defer { cleanUp(world) }
        let run = try serveOnce(world)
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(run.error.contains("event=contact.created"), run.error)
        XCTAssertEqual(try interactionLog(world), world.expectedLog)
        let database = try world.database.connect()
        let contacts = try database.query("SELECT count(*) FROM contacts").scalar(Int64.self)
        XCTAssertEqual(contacts, 40, "one contact per distinct external sender")
        let named = try database.query("SELECT count(*) FROM contacts WHERE name LIKE 'Ügyfél %'").scalar(Int64.self)
        XCTAssertGreaterThan(named, 0, "display names become contact names")
        XCTAssertEqual(try serveOnce(world).status, 0)
        XCTAssertEqual(try database.query("SELECT count(*) FROM contacts").scalar(Int64.self), 40)
    }

    /// `unmatched = record`: mail from parties nobody knows is remembered per message; when the
    /// contacts are imported later, the next cycle turns those messages into interactions.
    func testRecordedPartiesAreLinkedWhenTheContactIsAddedLater() throws {
        let world = try makeWorld(count: 120, extraConfig: "[matching]\nunmatched = record", importContacts: false)
        defer { cleanUp(world) }
        XCTAssertEqual(try serveOnce(world).status, 0)
        XCTAssertEqual(try interactionLog(world), [], "nobody is a contact yet")
        let database = try world.database.connect()
        XCTAssertEqual(try database.query("SELECT count(DISTINCT address) FROM unmatched_parties").scalar(Int64.self), 40)
        let csv = world.dir.appendingPathComponent("contacts.csv").path
        let imported = try TestStack.run(TestStack.touchpointBinary, ["--config", world.config, "import", "contacts", csv])
        XCTAssertEqual(imported.status, 0, imported.error)
        let second = try serveOnce(world)
        XCTAssertEqual(second.status, 0, second.error)
        XCTAssertTrue(second.error.contains("event=contacts.linked"), second.error)
        XCTAssertEqual(try interactionLog(world), world.expectedLog, "every recorded message linked, in its direction")
        XCTAssertEqual(try database.query("SELECT count(*) FROM unmatched_mentions").scalar(Int64.self), 0)
        XCTAssertEqual(try serveOnce(world).status, 0)
        XCTAssertEqual(try interactionLog(world), world.expectedLog, "linking twice adds nothing")
    }
}

extension IngestRobustnessTests.World {
    var expectedLog: [String] { SyntheticMailbox.expectedLog(count: count, seed: seed) }
}
