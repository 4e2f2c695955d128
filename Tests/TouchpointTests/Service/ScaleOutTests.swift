import Foundation
import Postgres
import XCTest

/// Several daemons sharing one database (DESIGN §7 "Scaling out"): a PostgreSQL advisory lock per
/// mailbox, held on the worker's own session, makes each mailbox one instance's at a time; a
/// killed instance's locks die with its sessions and the others take its mailboxes over.
final class ScaleOutTests: XCTestCase {
    static let pollSeconds = 2.0

    /// Which instance logged `mailbox.acquired` for each mailbox (a mailbox may appear twice
    /// only after a takeover).
    func acquisitions(_ instances: [RunningServe]) -> [String: [String]] {
        var owners: [String: [String]] = [:]
        for instance in instances {
            for event in instance.events("mailbox.acquired") {
                owners[event["mailbox"] ?? "?", default: []].append(instance.name)
            }
        }
        return owners
    }

    func waitUntil(_ seconds: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        return try condition()
    }

    func testTwelveMailboxesThreeInstancesOneOwnerEachAndTakeoverAfterSIGKILL() throws {
        let world = try ServiceWorld()
        let perMailbox = 50
        var logins: [String: String] = [:]
        for index in 1...12 {
            let name = String(format: "mb%02d", index)
            logins[name] = try world.addMailbox(name, messages: perMailbox, pollInterval: "\(Int(Self.pollSeconds))s").user
        }
        try world.writeConfig()
        let instances = try (0..<3).map { try world.serve(name: "instance\($0)") }

        // Phase 1: everything synced, each mailbox acquired by exactly one instance.
        XCTAssertTrue(try waitUntil(30) { try world.count("SELECT count(*) FROM messages") == Int64(12 * perMailbox) },
                      "first sync incomplete: \((try? world.count("SELECT count(*) FROM messages")) ?? -1) messages")
        XCTAssertTrue(waitUntil(10) { acquisitions(instances).count == 12 }, "\(acquisitions(instances))")
        let before = acquisitions(instances)
        for (mailbox, owners) in before {
            XCTAssertEqual(owners.count, 1, "\(mailbox) acquired by \(owners)")
        }
        for instance in instances {
            XCTAssertTrue(instance.events("mailbox.lock-lost").isEmpty, instance.log.joined())
        }

        // Phase 2: SIGKILL the busiest instance; new mail arrives in its mailboxes.
        let victim = try XCTUnwrap(instances.max { a, b in
            before.values.filter { $0 == [a.name] }.count < before.values.filter { $0 == [b.name] }.count
        })
        let orphaned = before.filter { $0.value == [victim.name] }.map(\.key).sorted()
        XCTAssertFalse(orphaned.isEmpty)
        print("owners before the kill:", instances.map { i in "\(i.name)=\(before.values.filter { $0 == [i.name] }.count)" }.joined(separator: " "))
        victim.signal(SIGKILL)
        _ = victim.waitForExit(timeout: 10)
        let killedAt = Date()
        let survivors = instances.filter { $0 !== victim }
        // Two poll intervals, plus a little for the lock attempt itself on a loaded machine.
        let takeoverBound = 2 * Self.pollSeconds + 3
        let tookOver = waitUntil(takeoverBound - Date().timeIntervalSince(killedAt)) {
            let now = acquisitions(survivors)
            return orphaned.allSatisfy { now[$0]?.count == 1 }
        }
        XCTAssertTrue(tookOver, "not all of \(orphaned) taken over within \(takeoverBound) s: \(acquisitions(survivors))")
        let after = acquisitions(survivors)
        for mailbox in orphaned {
            XCTAssertEqual(after[mailbox]?.count, 1, "\(mailbox) taken by exactly one survivor: \(after[mailbox] ?? [])")
        }
        for (mailbox, owners) in after where !orphaned.contains(mailbox) {
            XCTAssertEqual(owners.count, 1, "\(mailbox) changed hands without a reason: \(owners)")
        }

        // Phase 3: new mail in the orphaned mailboxes is worked by their new owners; the log
        // converges with no duplicates and no gaps.
        let extra = 10
        for mailbox in orphaned {
            let mail = try world.generateMail(count: extra, tag: "\(mailbox)-late", to: logins[mailbox]!)
            try world.stack.stack(["load-mail", logins[mailbox]!, "INBOX", mail.path])
        }
        let expected = Int64(12 * perMailbox + orphaned.count * extra)
        XCTAssertTrue(try waitUntil(20) { try world.count("SELECT count(*) FROM messages") == expected },
                      "\((try? world.count("SELECT count(*) FROM messages")) ?? -1) of \(expected) messages")
        for survivor in survivors { survivor.signal(SIGTERM) }
        for survivor in survivors { XCTAssertEqual(survivor.waitForExit(timeout: 30), 0, survivor.log.suffix(10).joined()) }

        XCTAssertEqual(try world.count("SELECT count(DISTINCT message_id) FROM messages"), expected)
        XCTAssertEqual(try world.count("SELECT count(*) FROM interaction_log"), expected, "one interaction per message")
        XCTAssertEqual(try world.count("SELECT count(*) FROM (SELECT DISTINCT message_id FROM interaction_log) d"), expected)
        XCTAssertEqual(try world.count("SELECT count(*) FROM message_locations"), expected)
        // No gaps: each mailbox holds UIDs 1...n exactly, and its cursor stands at n.
        let gaps = try world.count("""
            SELECT count(*) FROM (
              SELECT m.name, count(*) AS n, min(l.uid) AS lo, max(l.uid) AS hi, max(f.last_uid) AS cursor
                FROM message_locations l JOIN mailboxes m ON m.id = l.mailbox_id
                JOIN folder_state f ON f.mailbox_id = l.mailbox_id AND f.folder = l.folder
               GROUP BY m.name) s
             WHERE lo <> 1 OR hi <> n OR cursor <> n
            """)
        XCTAssertEqual(gaps, 0)
        for instance in instances {
            XCTAssertEqual(world.linesLeakingSecrets(instance.log), [], instance.name)
            for line in instance.log { XCTAssertNotNil(LoggerTests.parseLogfmt(line), "not logfmt: \(line)") }
        }
        XCTAssertEqual(try world.count("SELECT count(*) FROM mailboxes"), 12)
    }
}

/// An instance whose database session dies (the server terminated it) notices that its lock
/// went with the session and competes for the mailbox again instead of working it unlocked.
final class LockLossTests: XCTestCase {
    func testTerminatedLockSessionIsNoticedAndTheMailboxHasOneOwnerAgain() throws {
        let world = try ServiceWorld()
        let login = try world.addMailbox("solo", messages: 5, pollInterval: "1s")
        try world.writeConfig()
        let first = try world.serve(name: "first")
        let acquired = try XCTUnwrap(first.waitFor("mailbox.acquired"), first.log.joined())
        let second = try world.serve(name: "second")
        XCTAssertNotNil(second.waitFor("service.ready"), second.log.joined())
        XCTAssertNil(second.waitFor("mailbox.acquired", timeout: 3), "the lock is held by the first instance")

        let backend = try XCTUnwrap(acquired["db_pid"].flatMap(Int32.init), "\(acquired)")
        let admin = try PostgresConnection(world.stack["TP_PG_ADMIN_URL"])
        XCTAssertTrue(try admin.query("SELECT pg_terminate_backend(\(backend))").scalar(Bool.self))

        XCTAssertNotNil(first.waitFor("mailbox.lock-lost", timeout: 10), first.log.joined())
        // Exactly one of the two holds it afterwards, and the mailbox keeps being worked.
        let mail = try world.generateMail(count: 3, tag: "solo-late", to: login.user)
        try world.stack.stack(["load-mail", login.user, "INBOX", mail.path])
        let converged = (0..<100).contains { _ in
            Thread.sleep(forTimeInterval: 0.1)
            return ((try? world.count("SELECT count(*) FROM messages")) ?? 0) == 8
        }
        XCTAssertTrue(converged, first.log.joined() + second.log.joined())
        let holders = try world.count("""
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
            """)
        XCTAssertEqual(holders, 1)
        XCTAssertEqual(first.events("mailbox.acquired").count + second.events("mailbox.acquired").count, 2,
                       first.log.joined() + second.log.joined())
        for instance in [first, second] {
            instance.signal(SIGTERM)
            XCTAssertEqual(instance.waitForExit(timeout: 30), 0, instance.log.suffix(10).joined())
        }
    }
}
