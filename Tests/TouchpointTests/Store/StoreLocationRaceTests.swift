import Foundation
import XCTest
import Postgres
@testable import Touchpoint

/// Messages and locations are inserted after a `NOT EXISTS` probe (locations of new messages
/// without one) instead of `ON CONFLICT`. These tests pin down what that must not change: a writer
/// that races the probe, a place already taken, duplicates in a batch.
final class StoreLocationRaceTests: MigratedDatabaseTestCase {
    private var ann: Int64 = 0
    private let when = Date(timeIntervalSince1970: 1_700_000_000)

    override func setUpWithError() throws {
        try super.setUpWithError()
        ann = try connection.query("INSERT INTO contacts (name) VALUES ('Ann') RETURNING id").scalar(Int64.self)
    }

    private func work(uids: [UInt32], identity: String = "mid:race@x") -> IngestBatch {
        IngestBatch(cursor: FolderCursor(mailbox: "sales", folder: "INBOX", uidValidity: 7, lastUID: uids.max() ?? 0),
                    messages: uids.map { IngestedMessage(uid: $0, identity: identity, date: when, subject: "uid \($0)") },
                    interactions: [InteractionRow(messageIdentity: identity, contactID: ann, accountID: nil,
                                                  direction: .inbound, occurredAt: when)])
    }

    private func count(_ table: String) throws -> Int {
        try connection.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self)
    }

    func testAWriterRacingTheProbeMakesTheBatchRetrySpeculatively() throws {
        try assertRaceIsAbsorbed(nestedInOuterTransaction: false)
    }

    /// The daemon commits inside its own transaction (lock check first), so the retry runs
    /// after a rollback to the batch's savepoint, not after a full rollback.
    func testTheRetryAlsoWorksInsideAnOuterTransaction() throws {
        try assertRaceIsAbsorbed(nestedInOuterTransaction: true)
    }

    private func assertRaceIsAbsorbed(nestedInOuterTransaction: Bool) throws {
        // Session B holds an uncommitted location (sales, INBOX, 7, 1): our probe cannot see it,
        // our plain insert waits on its key and fails with a unique violation once B commits.
        let mailbox = try connection.query("INSERT INTO mailboxes (name) VALUES ('sales') RETURNING id").scalar(Int64.self)
        let placeholder = try connection.query("INSERT INTO messages (identity) VALUES ('mid:other@x') RETURNING id").scalar(Int64.self)
        let result = try commitRacing(work(uids: [1, 2]), nested: nestedInOuterTransaction, waitingIn: "message_locations") { other in
            try other.query("""
                INSERT INTO message_locations (mailbox_id, folder, uidvalidity, uid, message_id)
                VALUES (\(mailbox), 'INBOX', 7, 1, \(placeholder))
                """)
        }
        XCTAssertEqual(result.newMessages, 1)
        XCTAssertEqual(result.interactionsInserted, 1)
        let locations = try connection.query("SELECT uid, message_id FROM message_locations ORDER BY uid").map {
            [try $0.decode(Int64.self, at: 0), try $0.decode(Int64.self, at: 1)]
        }
        let mine = try XCTUnwrap(result.messageIDs["mid:race@x"])
        XCTAssertEqual(locations, [[1, placeholder], [2, mine]], "B's location kept, ours added, nothing twice")
        XCTAssertEqual(try count("interactions"), 1)
        XCTAssertEqual(try connection.query("SELECT interactions_logged FROM folder_state").scalar(Int.self), 1,
                       "the failed first attempt left no counts behind")
        XCTAssertEqual(try connection.query("SELECT last_uid FROM folder_state").scalar(Int.self), 2)
    }

    /// Messages are probed too: another mailbox committing the same message at the same moment
    /// (a rep's Sent and a colleague's INBOX) makes our insert wait, fail, and retry; the message
    /// is stored once, ours points at it, and our interaction is logged.
    func testAMailboxRacingTheSameMessageStoresItOnce() throws {
        let result = try commitRacing(work(uids: [5]), nested: true, waitingIn: "messages") { other in
            try other.query("INSERT INTO messages (identity, subject) VALUES ('mid:race@x', 'from the other mailbox')")
        }
        XCTAssertEqual(result.newMessages, 0, "the other mailbox stored it first")
        XCTAssertEqual(result.interactionsInserted, 1)
        XCTAssertEqual(try count("messages"), 1)
        let stored = try connection.query("SELECT id FROM messages WHERE identity = 'mid:race@x'").scalar(Int64.self)
        XCTAssertEqual(result.messageIDs["mid:race@x"], stored)
        XCTAssertEqual(try connection.query("SELECT message_id FROM message_locations").scalar(Int64.self), stored)
        XCTAssertEqual(try count("interactions"), 1)
    }

    /// Commits `batch` on its own connection while session B holds an uncommitted row written by
    /// `race`; B commits once our insert waits on it (bounded wait: ordering, not timing).
    private func commitRacing(_ batch: IngestBatch, nested: Bool, waitingIn table: String,
                              race: (PostgresConnection) throws -> Void) throws -> CommitResult {
        let other = try database.connect()
        try other.query("BEGIN")
        try race(other)

        final class Outcome: @unchecked Sendable {
            // Why @unchecked: written once by the worker thread before `done` is signalled,
            // read by the test thread only after waiting on it.
            var result: Result<CommitResult, any Error>?
            let done = DispatchSemaphore(value: 0)
        }
        let outcome = Outcome()
        let url = database.url
        let worker = Thread {
            outcome.result = Result {
                let mine = try PostgresConnection(url)
                if nested {
                    return try mine.transaction { tx in try Store.commitBatch(batch, tx) }
                }
                return try Store.commitBatch(batch, mine)
            }
            outcome.done.signal()
        }
        worker.start()
        var sawWait = false
        for _ in 0..<500 {
            let waiting = try connection.query("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'
                   AND query LIKE \("INSERT INTO \(table) %")
                """).scalar(Int.self)
            if waiting > 0 { sawWait = true; break }
            usleep(10_000)
        }
        try other.query("COMMIT")
        outcome.done.wait()
        XCTAssertTrue(sawWait, "the batch never waited on session B's row in \(table)")
        return try XCTUnwrap(outcome.result).get()
    }

    /// A new message's location is inserted without a probe. A place already recorded for another
    /// message (an identity an older version computed differently) must not fail the batch: the
    /// unique violation sends it to the speculative retry, which keeps the stored row.
    func testANewMessageAtAPlaceAlreadyRecordedIsStoredOnce() throws {
        let earlier = try Store.commitBatch(work(uids: [4], identity: "hash:old"), connection)
        let old = try XCTUnwrap(earlier.messageIDs["hash:old"])
        let result = try Store.commitBatch(work(uids: [4], identity: "hash:new"), connection)
        XCTAssertEqual(result.newMessages, 1)
        XCTAssertEqual(result.interactionsInserted, 1)
        XCTAssertEqual(try connection.query("SELECT message_id FROM message_locations").scalar(Int64.self), old)
        XCTAssertEqual(try count("messages"), 2)
        XCTAssertEqual(try count("interactions"), 2)
        XCTAssertEqual(try connection.query("SELECT messages_new FROM folder_state").scalar(Int.self), 2)
    }

    func testDuplicateUIDsInOneBatchKeepTheFirstMessage() throws {
        var batch = work(uids: [3], identity: "mid:first@x")
        batch.messages.append(IngestedMessage(uid: 3, identity: "mid:second@x", date: when))
        let result = try Store.commitBatch(batch, connection)
        XCTAssertEqual(result.newMessages, 2)
        XCTAssertEqual(try connection.query("SELECT message_id FROM message_locations").scalar(Int64.self),
                       result.messageIDs["mid:first@x"])
        XCTAssertEqual(try Store.commitBatch(batch, connection).newMessages, 0, "a re-run stores nothing")
        XCTAssertEqual(try count("message_locations"), 1)
    }
}
