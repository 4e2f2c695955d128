import Foundation
import XCTest
import Postgres
@testable import Touchpoint

/// The subject + participants fallback of threading, against the stack's PostgreSQL: a message whose
/// headers name no thread joins the nearest one with the same key inside the window (DESIGN: "falling
/// back to normalised subject + participants within a window").
final class ThreadWindowTests: MigratedDatabaseTestCase {
    private var uid: UInt32 = 0
    private var ann: Int64 = 0
    private var acme: Int64 = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        acme = try connection.query("INSERT INTO accounts (name) VALUES ('Acme') RETURNING id").scalar(Int64.self)
        ann = try connection.query("INSERT INTO contacts (name, account_id) VALUES ('Ann', \(acme)) RETURNING id").scalar(Int64.self)
    }

    private let day: TimeInterval = 86_400
    private let start = Date(timeIntervalSince1970: 1_750_000_000)
    private let quote: Int64 = 0x5155_4F54_45
    private let invoice: Int64 = -42

    /// A message `days` after `start`: `header` is the thread its headers decide (nil: only the key can tell).
    private func mail(_ id: String?, days: Double, key: Int64?, header: String? = nil) -> IngestedMessage {
        uid += 1
        return IngestedMessage(uid: uid, identity: id ?? "sha256:\(uid)", messageID: id, date: start.addingTimeInterval(days * day),
                               subject: "Re: Quote", threadID: header, threadKey: key)
    }

    /// Each message logged for Ann (the mail of one subject + participants concerns the same people),
    /// or at account level only.
    private func interactions(_ messages: [IngestedMessage], accountLevel: Bool = false) -> [InteractionRow] {
        messages.map {
            InteractionRow(messageIdentity: $0.identity, contactID: accountLevel ? nil : ann, accountID: acme,
                           direction: .inbound, occurredAt: $0.date ?? start)
        }
    }

    private func commit(_ messages: [IngestedMessage], window: Duration = ThreadWindow.defaultWindow, accountLevel: Bool = false) throws {
        let cursor = FolderCursor(mailbox: "sales", folder: "INBOX", uidValidity: 1, lastUID: uid)
        try Store.commitBatch(IngestBatch(cursor: cursor, messages: messages, interactions: interactions(messages, accountLevel: accountLevel),
                                          threadWindow: window), connection)
    }

    private func threads() throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try connection.query("SELECT identity, thread_id FROM messages") {
            result[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        return result
    }

    func testAReplyWithoutReferencesJoinsItsRootsThreadWithinTheWindow() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x")])
        try commit([mail("r@x", days: 12, key: quote)])
        XCTAssertEqual(try threads()["r@x"], "msg:a@x")
    }

    func testTheSameSubjectOutsideTheWindowStartsANewThread() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x")])
        try commit([mail("late@x", days: 31, key: quote), mail("year@x", days: 365, key: quote)])
        let stored = try threads()
        XCTAssertEqual(stored["late@x"], "msg:late@x")
        XCTAssertEqual(stored["year@x"], "msg:year@x")
        try commit([mail("w@x", days: 9, key: quote)], window: .seconds(7 * 86_400))
        XCTAssertEqual(try threads()["w@x"], "msg:w@x", "the configured window, not the default, decides")
    }

    func testADifferentKeyNeverJoins() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x")])
        try commit([mail("i@x", days: 1, key: invoice), mail("n@x", days: 1, key: nil)])
        let stored = try threads()
        XCTAssertEqual(stored["i@x"], "msg:i@x")
        XCTAssertEqual(stored["n@x"], "msg:n@x")
    }

    func testMessagesOfOneBatchChainInDateOrderWhateverTheirOrderInTheBatch() throws {
        // 0 → 25 → 50 → 75 days: each within 30 days of the previous, the last 75 days from the root.
        try commit([mail("c3@x", days: 75, key: quote), mail("c1@x", days: 25, key: quote),
                    mail("a@x", days: 0, key: quote, header: "msg:a@x"), mail("c2@x", days: 50, key: quote),
                    mail("far@x", days: 200, key: quote)])
        let stored = try threads()
        XCTAssertEqual(stored["c1@x"], "msg:a@x")
        XCTAssertEqual(stored["c2@x"], "msg:a@x")
        XCTAssertEqual(stored["c3@x"], "msg:a@x")
        XCTAssertEqual(stored["far@x"], "msg:far@x")
    }

    func testTheChainAlsoRunsAcrossBatches() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x")])
        try commit([mail("c1@x", days: 25, key: quote)])
        try commit([mail("c2@x", days: 50, key: quote)])
        XCTAssertEqual(try threads()["c2@x"], "msg:a@x")
    }

    func testTheNearestNeighbourWinsOnEitherSide() throws {
        try commit([mail("old@x", days: 0, key: quote, header: "msg:old@x"),
                    mail("new@x", days: 20, key: quote, header: "msg:new@x")])
        // 17 days after old, 3 days before new: the later, nearer message lends its thread.
        try commit([mail("r1@x", days: 17, key: quote)])
        // 2 days after old, 18 before new.
        try commit([mail("r2@x", days: 2, key: quote)])
        let stored = try threads()
        XCTAssertEqual(stored["r1@x"], "msg:new@x")
        XCTAssertEqual(stored["r2@x"], "msg:old@x")
    }

    func testAMessageWithoutMessageIDJoinsOrStartsAThreadNamedAfterItsIdentity() throws {
        try commit([mail(nil, days: 0, key: invoice)])
        try commit([mail("r@x", days: 3, key: invoice)])
        let stored = try threads()
        XCTAssertEqual(stored["sha256:1"], "msg:sha256:1")
        XCTAssertEqual(stored["r@x"], "msg:sha256:1")
    }

    func testMailLoggedAtAccountLevelFindsItsNeighboursThroughTheAccount() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x")], accountLevel: true)
        try commit([mail("r@x", days: 4, key: quote)], accountLevel: true)
        XCTAssertEqual(try threads()["r@x"], "msg:a@x")
    }

    /// The documented price of reaching stored neighbours through interactions.
    func testAStoredMessageLoggedForNobodyLendsNoThread() throws {
        let cursor = FolderCursor(mailbox: "sales", folder: "INBOX", uidValidity: 1, lastUID: 1)
        try Store.commitBatch(IngestBatch(cursor: cursor, messages: [mail("a@x", days: 0, key: quote, header: "msg:a@x")]), connection)
        try commit([mail("r@x", days: 4, key: quote)])
        XCTAssertEqual(try threads()["r@x"], "msg:r@x")
    }

    func testHeadersAlwaysWinOverTheWindow() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x")])
        try commit([mail("b@x", days: 1, key: quote, header: "msg:b@x"), mail("c@x", days: 2, key: quote, header: "msg:elsewhere@x")])
        let stored = try threads()
        XCTAssertEqual(stored["b@x"], "msg:b@x", "a new conversation with its own Message-ID is the root its replies will name")
        XCTAssertEqual(stored["c@x"], "msg:elsewhere@x")
    }

    func testAZeroWindowTurnsTheFallbackOff() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x")])
        try commit([mail("same-second@x", days: 0, key: quote)], window: .zero)
        XCTAssertEqual(try threads()["same-second@x"], "msg:same-second@x")
    }

    func testReRunningBatchesChangesNoThread() throws {
        let first = [mail("a@x", days: 0, key: quote, header: "msg:a@x"), mail("c1@x", days: 10, key: quote)]
        let second = [mail("c2@x", days: 20, key: quote), mail("x@x", days: 500, key: quote)]
        try commit(first)
        try commit(second)
        let before = try threads()
        // A crash before the cursor moved re-fetches both batches, in any order, maybe with new mail
        // that would now lend a different thread (a stored message's thread is never rewritten).
        try commit(second + [mail("b@x", days: 499, key: quote, header: "msg:b@x")])
        try commit(first)
        var after = try threads()
        XCTAssertEqual(after.removeValue(forKey: "b@x"), "msg:b@x")
        XCTAssertEqual(after, before)
        XCTAssertEqual(before["c2@x"], "msg:a@x")
        XCTAssertEqual(before["x@x"], "msg:x@x")
        XCTAssertEqual(try connection.query("SELECT count(*) FROM messages WHERE thread_key IS NULL").scalar(Int.self), 0,
                       "every message keeps its key")
    }

    func testTheResultDoesNotDependOnTheOrderOfTheBatch() throws {
        try commit([mail("a@x", days: 0, key: quote, header: "msg:a@x"), mail("z@x", days: 100, key: invoice, header: "msg:z@x")])
        let batch = [mail("c1@x", days: 20, key: quote), mail("c2@x", days: 45, key: quote), mail("t1@x", days: 45, key: quote),
                     mail("i1@x", days: 90, key: invoice), mail(nil, days: 60, key: invoice), mail("q@x", days: 46, key: quote, header: "msg:q@x")]
        func resolved(_ messages: [IngestedMessage]) throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try connection.transaction { tx in
                try ThreadWindow.resolve(messages, interactions: interactions(messages), window: ThreadWindow.defaultWindow, tx)
            }.map { ($0.identity, $0.threadID ?? "") })
        }
        let forward = try resolved(batch)
        XCTAssertEqual(try resolved(batch.reversed()), forward)
        XCTAssertEqual(try resolved([batch[3], batch[0], batch[5], batch[2], batch[4], batch[1]]), forward)
        XCTAssertEqual(forward["c1@x"], "msg:a@x")
        XCTAssertEqual(forward["c2@x"], "msg:q@x", "one day from q, 25 days from c1")
        XCTAssertEqual(forward["i1@x"], "msg:z@x")
        // The batch is walked as if its mail had arrived in date order: the message at day 60 is 40
        // days from z and sees no earlier neighbour, so it starts its own thread before i1 (day 90) exists.
        XCTAssertEqual(forward[batch[4].identity], "msg:" + batch[4].identity)
    }

    /// Messages stored before version 5 whose thread was the subject key (`subj:<hex>`) get that key back.
    func testMigrationFiveRecoversTheKeysOfSubjectThreads() throws {
        let versionFour = try StoreTestDatabase()
        defer { versionFour.drop() }
        let old = try versionFour.connect()
        _ = try Migrator.migrate(old, migrations: Array(Migrations.all.prefix(4)))
        try old.query("""
            INSERT INTO messages (identity, thread_id) VALUES ('s', 'subj:b3b1f836c63715df'), ('m', 'msg:m@x'), ('n', NULL)
            """)
        try Migrator.migrate(old)
        var keys: [String: String] = [:]
        for row in try old.query("SELECT identity, thread_key FROM messages") {
            keys[try row.decode(String.self, at: 0)] = try row.decode(Int64?.self, at: 1).map { String($0) } ?? "none"
        }
        XCTAssertEqual(keys, ["s": String(Int64(bitPattern: 0xB3B1_F836_C637_15DF)), "m": "none", "n": "none"])
    }
}
