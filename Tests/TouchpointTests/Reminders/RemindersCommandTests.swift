import CRM
import Foundation
import XCTest
@testable import Touchpoint

/// `touchpoint import purchases` and `touchpoint reminders …` through the command line.
final class RemindersCommandTests: XCTestCase {
    func run(_ argv: [String]) -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        let status = TouchpointCommandLine().run(argv, io: captured.io())
        return (status, captured)
    }

    func testImportRunListAckDismiss() throws {
        let sink = try SMTPSink()
        let world = try ReminderWorld()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tp-reminders-cli-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try sink.config(databaseURL: world.database.url, directory: directory).path
        let demo = ReminderWorld.demo.path

        XCTAssertEqual(run(["import", "contacts", demo + "/contacts.csv", "--config", config]).0, 0)
        let (imported, importIO) = run(["import", "purchases", demo + "/purchases.csv", "--config", config])
        XCTAssertEqual(imported, 0, importIO.err)
        XCTAssertTrue(importIO.out.contains("486 purchases created, 0 updated, 0 unchanged, 0 rejected"), importIO.out)
        let again = run(["import", "purchases", demo + "/purchases.csv", "--config", config]).1
        XCTAssertTrue(again.out.contains("0 purchases created, 0 updated, 486 unchanged, 0 rejected"), again.out)

        let bad = directory.appendingPathComponent("bad.csv")
        try Data("customer_email,purchased_at,amount,currency,external_ref\nwho@nowhere.example,2026-01-05,1,EUR,X-1\npeter.nagy@budapest-bakery.example.hu,05.01.2026,1,EUR,X-2\n".utf8).write(to: bad)
        let (badStatus, badIO) = run(["import", "purchases", bad.path, "--config", config])
        XCTAssertEqual(badStatus, 0)
        XCTAssertTrue(badIO.err.contains("bad.csv:2: rejected: unknown customer who@nowhere.example"), badIO.err)
        XCTAssertTrue(badIO.err.contains("bad.csv:3: rejected: purchased_at \"05.01.2026\""), badIO.err)

        let expected = try ReminderWorld.expectedReminders(on: PurchaseDay(year: 2026, month: 11, day: 16)!)
        let (dryStatus, dry) = run(["reminders", "run", "--dry-run", "--today", "2026-11-16", "--config", config])
        XCTAssertEqual(dryStatus, 0, dry.err)
        XCTAssertTrue(dry.out.contains("\(expected.count) reminders would be created"), dry.out)
        XCTAssertEqual(run(["reminders", "list", "--config", config]).1.out, "no reminders\n")

        let (runStatus, ran) = run(["reminders", "run", "--today", "2026-11-16", "--config", config])
        XCTAssertEqual(runStatus, 0, ran.err)
        XCTAssertTrue(ran.out.contains("\(expected.count) created"), ran.out)
        let listed = run(["reminders", "list", "--status", "sent", "--owner", "David.Chen@acme-trading.example", "--config", config]).1.out
        let davids = expected.keys.filter { try! ReminderWorld.contacts()[$0]!.owner == "david.chen@acme-trading.example" }
        XCTAssertEqual(listed.split(separator: "\n").filter { !$0.hasPrefix("\t") }.count, davids.count, listed)
        let firstID = try XCTUnwrap(listed.split(separator: "\t").first.map(String.init))

        XCTAssertEqual(run(["reminders", "ack", firstID, "--config", config]).0, 0)
        let (twice, twiceIO) = run(["reminders", "ack", firstID, "--config", config])
        XCTAssertEqual(twice, 65)
        XCTAssertTrue(twiceIO.err.contains("already acked"), twiceIO.err)
        XCTAssertEqual(run(["reminders", "list", "--status", "acked", "--config", config]).1.out.split(separator: "\t").first.map(String.init), firstID)
        let secondID = try XCTUnwrap(run(["reminders", "list", "--status", "sent", "--config", config]).1.out.split(separator: "\t").first.map(String.init))
        let (dismissed, dismissIO) = run(["reminders", "dismiss", secondID, "--for", "2w", "--config", config])
        XCTAssertEqual(dismissed, 0, dismissIO.err)
        XCTAssertTrue(dismissIO.out.contains("for 14 days"), dismissIO.out)
        let snoozed = try world.connection.query("SELECT snoozed_until > now() + interval '13 days' FROM reminders WHERE id = \(Int(secondID)!)")
            .scalar(Bool.self)
        XCTAssertTrue(snoozed)

        XCTAssertEqual(run(["reminders", "list", "--status", "bogus", "--config", config]).0, 64)
        XCTAssertEqual(run(["reminders", "dismiss", "x", "--config", config]).0, 64)
        XCTAssertEqual(run(["reminders", "ack", "1", "--for", "3d", "--config", config]).0, 64)
        XCTAssertEqual(run(["reminders", "fly", "--config", config]).0, 64)
    }

    func testSnoozeDurations() {
        XCTAssertEqual(RemindersCommand.days("30d"), 30)
        XCTAssertEqual(RemindersCommand.days("4w"), 28)
        XCTAssertEqual(RemindersCommand.days("7"), 7)
        XCTAssertNil(RemindersCommand.days("0d"))
        XCTAssertNil(RemindersCommand.days("forever"))
        XCTAssertNil(RemindersCommand.days("99999d"))
    }
}

final class ReminderSchedulerTests: XCTestCase {
    /// The thread sleeps until the next schedule instant or retry pass; stop() wakes it at once.
    func testStartStopJoin() throws {
        let text = """
            [database]
            url = postgresql://127.0.0.1:1/none
            [company]
            domains = acme.example
            timezone = Europe/Budapest
            [smtp]
            url = smtp://127.0.0.1:1
            from = tp@acme.example
            [reminders]
            schedule = 03:00
            """
        let config = try Config.parse(path: "t.conf", text: text)
        let log = MemoryLogSink()
        let scheduler = ReminderScheduler(config: config, logger: Logger(journald: false, sink: log), retryInterval: 3600)
        scheduler.start()
        XCTAssertFalse(scheduler.join(timeout: 0.2), "still waiting for 03:00")
        scheduler.stop()
        XCTAssertTrue(scheduler.join(timeout: 30))
        XCTAssertTrue(log.lines.contains { $0.contains("event=reminder.scheduled") && $0.contains("next_run=") }, "\(log.lines)")
    }
}
