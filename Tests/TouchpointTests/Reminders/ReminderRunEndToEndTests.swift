import CRM
import Foundation
import MIME
import Postgres
import XCTest
@testable import Touchpoint

/// The demo world through a real reminder run: PostgreSQL, the model, the outbox and the stack's
/// SMTP sink (STARTTLS + AUTH).
final class ReminderRunEndToEndTests: XCTestCase {
    let november16 = PurchaseDay(year: 2026, month: 11, day: 16)!
    let november30 = PurchaseDay(year: 2026, month: 11, day: 30)!

    private func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tp-reminders-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func run(_ world: ReminderWorld, _ config: Config, today: PurchaseDay, now: Date = Date(),
                     log: MemoryLogSink = MemoryLogSink()) throws -> ReminderRun.Outcome {
        let settings = try ReminderSettings(config: config)
        return try ReminderRun(connection: world.connection, settings: settings, logger: Logger(journald: false, sink: log))
            .run(ReminderRun.Options(today: today), now: now)
    }

    /// SMTP down → pending with one attempt; SMTP back → exactly one digest per owner with exactly the
    /// expected customers; the same day again → nothing; two weeks later an outbound email to a
    /// due customer suppresses that customer's reminder.
    func testDemoWorldDigestsRetrySuppression() throws {
        let sink = try SMTPSink()
        let world = try ReminderWorld()
        try world.importDemo()
        let directory = try scratchDirectory()
        let closedPort = try sink.config(databaseURL: world.database.url, port: "1", directory: directory)
        let working = try sink.config(databaseURL: world.database.url, directory: directory)
        let contacts = try ReminderWorld.contacts()
        let expected = try ReminderWorld.expectedReminders(on: november16)
        XCTAssertFalse(expected.isEmpty)

        // 1. SMTP unreachable: reminders and digests are created, nothing is sent, rows wait.
        let before = try sink.stems()
        let log = MemoryLogSink()
        let first = try run(world, closedPort, today: november16, log: log)
        XCTAssertTrue(first.ranAsLeader)
        XCTAssertEqual(first.customers, 35)
        XCTAssertEqual(Set(first.created.compactMap { $0.entry.customerEmail }), Set(expected.keys))
        for created in first.created {
            XCTAssertEqual(created.entry.kind, expected[created.entry.customerEmail ?? ""], created.entry.customerName)
        }
        let owners = Set(expected.keys.map { contacts[$0]!.owner })
        XCTAssertEqual(first.digests, owners.count)
        XCTAssertEqual(first.sent, 0)
        XCTAssertEqual(first.retrying, owners.count)
        let pending = try world.connection.query("SELECT status, attempts, last_error IS NOT NULL FROM outbox ORDER BY id")
        XCTAssertEqual(pending.count, owners.count)
        for row in pending {
            XCTAssertEqual(try row.decode(String.self, at: 0), "pending")
            XCTAssertEqual(try row.decode(Int.self, at: 1), 1)
            XCTAssertTrue(try row.decode(Bool.self, at: 2))
        }
        XCTAssertTrue(log.lines.contains { $0.contains("event=digest.failed") }, log.lines.joined(separator: "\n"))
        XCTAssertEqual(try sink.stems().subtracting(before), [])

        // 2. SMTP back, after the backoff: each digest is sent once.
        let later = Date().addingTimeInterval(3 * 3600)
        let second = try run(world, working, today: november16, now: later)
        XCTAssertEqual(second.created.count, 0, "open reminders block duplicates")
        XCTAssertEqual(second.sent, owners.count)
        let delivered = try sink.messages(try sink.stems().subtracting(before))
        XCTAssertEqual(delivered.count, owners.count)
        XCTAssertEqual(Set(delivered.flatMap(\.recipients)), owners)
        for message in delivered {
            XCTAssertEqual(message.recipients.count, 1)
            let owner = message.recipients[0]
            let mine = expected.keys.filter { contacts[$0]!.owner == owner }
            let parsed = MessageParser().parse(message.bytes)
            let text = parsed.text ?? ""
            let subject = parsed.subject ?? ""
            XCTAssertTrue(subject.hasPrefix("\(mine.count) customer\(mine.count == 1 ? "" : "s") to call today: "), subject)
            XCTAssertTrue(mine.contains { subject.contains(contacts[$0]!.name) }, "subject names a customer: \(subject)")
            for email in contacts.keys {
                XCTAssertEqual(text.contains("<\(email)>"), mine.contains(email), "\(owner) digest and \(email)")
            }
            for email in mine { XCTAssertTrue(text.contains(contacts[email]!.name), contacts[email]!.name) }
            let raw = String(decoding: message.bytes, as: UTF8.self)
            XCTAssertTrue(raw.contains("multipart/alternative") && raw.contains("text/html"), "text and HTML alternatives")
        }
        let statuses = try world.connection.query("SELECT DISTINCT status FROM reminder_log").map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(statuses, ["sent"])
        for row in try world.connection.query("SELECT contact_email, owner_email, sent_at IS NOT NULL FROM reminder_log") {
            let email = try row.decode(String.self, at: 0)
            XCTAssertEqual(try row.decode(String?.self, at: 1), contacts[email]?.owner, email)
            XCTAssertTrue(try row.decode(Bool.self, at: 2))
        }

        // 3. The same day again: nothing created, nothing sent.
        let stemsAfterSend = try sink.stems()
        let third = try run(world, working, today: november16, now: later)
        XCTAssertEqual(third.created.count, 0)
        XCTAssertEqual(third.sent, 0)
        XCTAssertEqual(try sink.stems().subtracting(stemsAfterSend), [])

        // 4. Two weeks later, Anna wrote to Ivan Petrov (due on the 30th): no reminder for him;
        //    the other customers due that day get theirs.
        let dueOn30 = try ReminderWorld.expectedReminders(on: november30).filter { $0.value == .due }.map(\.key)
        let ivan = "ivan.petrov@volga-logistics.example.ru"
        XCTAssertTrue(dueOn30.contains(ivan), "the fixture's biweekly customer is late on the 30th")
        try logOutboundEmail(world, to: ivan, at: "2026-11-28T10:00:00Z")
        let fourth = try run(world, working, today: november30, now: later)
        XCTAssertEqual(Set(fourth.created.compactMap { $0.entry.customerEmail }), Set(dueOn30).subtracting([ivan]))
        XCTAssertTrue(fourth.created.allSatisfy { $0.entry.kind == .due })
        let newMail = try sink.messages(try sink.stems().subtracting(stemsAfterSend))
        XCTAssertEqual(newMail.count, Set(dueOn30.filter { $0 != ivan }.map { contacts[$0]!.owner }).count)
        XCTAssertFalse(newMail.contains { String(decoding: $0.bytes, as: UTF8.self).contains(ivan) })
    }

    private func logOutboundEmail(_ world: ReminderWorld, to email: String, at timestamp: String) throws {
        let instant = PurchaseTimestamp.parse(timestamp, timeZone: ReminderWorld.timeZone)!
        let messageID = try world.connection.query("""
            INSERT INTO messages (identity, message_id, sent_at, subject)
            VALUES (\("test:" + email), \("test-" + email), \(instant), 'Checking in') RETURNING id
            """).scalar(Int64.self)
        try world.connection.query("""
            INSERT INTO interactions (message_id, contact_id, direction, occurred_at)
            SELECT \(messageID), contact_id, 'outbound', \(instant) FROM contact_addresses WHERE address = \(email)
            """)
    }

    /// 550 → failed at once with the server's answer; 451 → pending, one attempt, retried after a minute.
    func testPermanentAndTransientRecipientFailures() throws {
        let sink = try SMTPSink()
        let world = try ReminderWorld()
        let config = try sink.config(databaseURL: world.database.url, directory: try scratchDirectory())
        let message = try MessageBuilder(from: Mailbox(address: "touchpoint@acme-trading.example"),
                                         to: [Mailbox(address: "x@acme-trading.example")], subject: "1 customer to call today",
                                         text: "x", messageIDDomain: "acme-trading.example").build().bytes
        for owner in ["reject-rep@acme-trading.example", "tempfail-rep@acme-trading.example"] {
            try world.connection.query("INSERT INTO outbox (owner_email, subject, body) VALUES (\(owner), 's', \(PostgresBytes(message)))")
        }
        let settings = try ReminderSettings(config: config)
        let outcome = try ReminderRun(connection: world.connection, settings: settings, logger: Logger(journald: false, sink: MemoryLogSink()))
            .run(ReminderRun.Options(sendOnly: true))
        XCTAssertEqual(outcome.failed, 1)
        XCTAssertEqual(outcome.retrying, 1)
        let rows = try world.connection.query("""
            SELECT owner_email, status, attempts, last_error, next_attempt_at > now() + interval '30 seconds' FROM outbox ORDER BY owner_email
            """)
        XCTAssertEqual(try rows[0].decode(String.self, at: 1), "failed")
        let permanentError = try rows[0].decode(String.self, at: 3)
        XCTAssertTrue(permanentError.contains("550"), permanentError)
        XCTAssertEqual(try rows[1].decode(String.self, at: 1), "pending")
        XCTAssertEqual(try rows[1].decode(Int.self, at: 2), 1)
        XCTAssertTrue(try rows[1].decode(Bool.self, at: 4), "backed off")
    }

    func testAnotherLeaderMeansNothingHappens() throws {
        let world = try ReminderWorld()
        try world.importDemo()
        let other = try world.database.connect()
        XCTAssertTrue(try other.tryAdvisoryLock(ReminderRun.leaderLockKey))
        let log = MemoryLogSink()
        let settings = ReminderSettings(policy: ReminderPolicy(), timeZone: ReminderWorld.timeZone, defaultOwner: nil,
                                        sender: Mailbox(address: "tp@acme-trading.example"), smtp: nil)
        let outcome = try ReminderRun(connection: world.connection, settings: settings, logger: Logger(journald: false, sink: log))
            .run(ReminderRun.Options(today: november16))
        XCTAssertFalse(outcome.ranAsLeader)
        XCTAssertTrue(log.lines.contains { $0.contains("event=reminder.skipped") })
        XCTAssertEqual(try world.connection.query("SELECT count(*) FROM reminders").scalar(Int.self), 0)
        _ = try other.advisoryUnlock(ReminderRun.leaderLockKey)
        try other.listen(ReminderRun.notifyChannel)
        let after = try ReminderRun(connection: world.connection, settings: settings, logger: Logger(journald: false, sink: log))
            .run(ReminderRun.Options(today: november16))
        XCTAssertTrue(after.ranAsLeader)
        XCTAssertGreaterThan(after.created.count, 0)
        let notifications = try other.pollNotifications(timeout: 5)
        XCTAssertEqual(notifications.map(\.payload), [String(after.created.count)])

        // A purchase recorded after the reminder answers it: the next run expires it.
        let answered = after.created[0]
        try world.connection.query("""
            INSERT INTO purchases (contact_id, purchased_at, external_ref) VALUES (\(answered.contactID), '2026-11-16T09:00:00Z', 'NEW-1')
            """)
        _ = try ReminderRun(connection: world.connection, settings: settings, logger: Logger(journald: false, sink: log))
            .run(ReminderRun.Options(today: november16))
        XCTAssertEqual(try world.connection.query("SELECT status FROM reminders WHERE id = \(answered.reminderID!)").scalar(String.self), "expired")
        XCTAssertEqual(try world.connection.query("""
            SELECT count(*) FROM reminders WHERE status = 'expired' OR contact_id <> \(answered.contactID)
            """).scalar(Int.self), after.created.count, "only that reminder expired")
    }

    func testDryRunWritesNothingAndAckDismissBlockRecreation() throws {
        let world = try ReminderWorld()
        try world.importDemo()
        let settings = ReminderSettings(policy: ReminderPolicy(), timeZone: ReminderWorld.timeZone, defaultOwner: nil,
                                        sender: Mailbox(address: "tp@acme-trading.example"), smtp: nil)
        let engine = ReminderRun(connection: world.connection, settings: settings, logger: Logger(journald: false, sink: MemoryLogSink()))
        let dry = try engine.run(ReminderRun.Options(today: november16, dryRun: true))
        XCTAssertGreaterThan(dry.created.count, 1)
        XCTAssertEqual(try world.connection.query("SELECT count(*) FROM reminders").scalar(Int.self), 0)
        XCTAssertEqual(try world.connection.query("SELECT count(*) FROM outbox").scalar(Int.self), 0)

        let created = try engine.run(ReminderRun.Options(today: november16)).created
        XCTAssertEqual(Set(created.map(\.contactID)), Set(dry.created.map(\.contactID)))
        let log = ReminderLog(world.connection)
        let acked = try XCTUnwrap(created[0].reminderID)
        let dismissed = try XCTUnwrap(created[1].reminderID)
        try log.acknowledge(acked)
        try log.dismiss(dismissed, snoozeDays: 30)
        XCTAssertThrowsError(try log.acknowledge(acked)) { XCTAssertEqual($0 as? ReminderLog.Failure, .alreadyResolved(acked, status: "acked")) }
        XCTAssertThrowsError(try log.dismiss(999_999, snoozeDays: nil)) { XCTAssertEqual($0 as? ReminderLog.Failure, .notFound(999_999)) }
        XCTAssertEqual(try log.list(owner: nil, status: "acked").map(\.id), [acked])
        XCTAssertEqual(try log.list(owner: nil, status: "dismissed").map(\.id), [dismissed])
        // Resolved, but the same late order: the next run does not nag about them again.
        XCTAssertEqual(try engine.run(ReminderRun.Options(today: november16.adding(days: 1))).created.filter {
            [created[0].contactID, created[1].contactID].contains($0.contactID)
        }.count, 0)
    }
}
