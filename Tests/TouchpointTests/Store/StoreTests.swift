import Foundation
import XCTest
import Postgres
@testable import Touchpoint

final class StoreTests: MigratedDatabaseTestCase {
    private var ann: Int64 = 0
    private var bob: Int64 = 0
    private var acme: Int64 = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        acme = try connection.query("INSERT INTO accounts (name) VALUES ('Acme') RETURNING id").scalar(Int64.self)
        ann = try connection.query("INSERT INTO contacts (name, account_id) VALUES ('Ann', \(acme)) RETURNING id").scalar(Int64.self)
        bob = try connection.query("INSERT INTO contacts (name) VALUES ('Bob') RETURNING id").scalar(Int64.self)
        try connection.query("INSERT INTO contact_addresses (address, contact_id) VALUES ('ann@acme.example', \(ann)), ('bob@example.org', \(bob))")
        try connection.query("INSERT INTO account_domains (domain, account_id) VALUES ('acme.example', \(acme))")
    }

    private let when = Date(timeIntervalSince1970: 1_700_000_000)

    private func message(_ uid: UInt32, _ identity: String, subject: String = "Hello") -> IngestedMessage {
        IngestedMessage(uid: uid, identity: identity, messageID: identity.replacingOccurrences(of: "mid:", with: ""),
                        date: when, subject: subject, snippet: "first words", size: 1234,
                        attachments: [AttachmentSummary(filename: "offer \"v2\".pdf", contentType: "application/pdf", size: 99)],
                        threadID: "t-1")
    }

    private func batch(mailbox: String = "sales", folder: String = "INBOX", lastUID: UInt32, messages: [IngestedMessage],
                       interactions: [InteractionRow]) -> IngestBatch {
        IngestBatch(cursor: FolderCursor(mailbox: mailbox, folder: folder, uidValidity: 7, lastUID: lastUID, highestModSeq: 42),
                    messages: messages, interactions: interactions)
    }

    private func count(_ table: String) throws -> Int {
        try connection.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self)
    }

    func testCommitStoresEverythingAndReRunInsertsNothingTwice() throws {
        let messages = [message(1, "mid:a@x"), message(2, "mid:b@x")]
        let interactions = [
            InteractionRow(messageIdentity: "mid:a@x", contactID: ann, accountID: acme, direction: .inbound, occurredAt: when),
            InteractionRow(messageIdentity: "mid:a@x", contactID: bob, accountID: nil, direction: .inbound, occurredAt: when),
            InteractionRow(messageIdentity: "mid:b@x", contactID: nil, accountID: acme, direction: .outbound, occurredAt: when),
        ]
        let work = batch(lastUID: 2, messages: messages, interactions: interactions)
        let first = try Store.commitBatch(work, connection)
        XCTAssertEqual(first.newMessages, 2)
        XCTAssertEqual(first.existingMessages, 0)
        XCTAssertEqual(first.interactionsInserted, 3)
        XCTAssertEqual(Set(first.messageIDs.keys), ["mid:a@x", "mid:b@x"])

        let second = try Store.commitBatch(work, connection)
        XCTAssertEqual(second.newMessages, 0)
        XCTAssertEqual(second.existingMessages, 2)
        XCTAssertEqual(second.interactionsInserted, 0)
        XCTAssertEqual(second.messageIDs, first.messageIDs)
        XCTAssertEqual(try count("messages"), 2)
        XCTAssertEqual(try count("message_locations"), 2)
        XCTAssertEqual(try count("interactions"), 3)
        XCTAssertEqual(try Store.loadFolderCursor(mailbox: "sales", folder: "INBOX", connection),
                       FolderCursor(mailbox: "sales", folder: "INBOX", uidValidity: 7, lastUID: 2, highestModSeq: 42))
        XCTAssertEqual(try connection.query("SELECT interactions_logged FROM folder_state").scalar(Int.self), 3,
                       "counters count what was really inserted")
        let attachments = try connection.query("SELECT attachments->0->>'filename' FROM messages WHERE identity = 'mid:a@x'").scalar(String.self)
        XCTAssertEqual(attachments, "offer \"v2\".pdf")
    }

    func testSameMessageInTwoMailboxesIsOneMessageWithOneInteractionPerContact() throws {
        let shared = message(10, "mid:shared@x")
        let row = InteractionRow(messageIdentity: "mid:shared@x", contactID: ann, accountID: acme, direction: .outbound, occurredAt: when)
        try Store.commitBatch(batch(mailbox: "rep", folder: "Sent", lastUID: 10, messages: [shared], interactions: [row]), connection)
        var elsewhere = shared
        elsewhere.uid = 3
        let result = try Store.commitBatch(batch(mailbox: "colleague", folder: "INBOX", lastUID: 3, messages: [elsewhere], interactions: [row]), connection)
        XCTAssertEqual(result.existingMessages, 1)
        XCTAssertEqual(try count("messages"), 1)
        XCTAssertEqual(try count("message_locations"), 2)
        XCTAssertEqual(try count("interactions"), 1)
        XCTAssertEqual(try count("folder_state"), 2)
    }

    func testFailedBatchLeavesNoPartialRows() throws {
        // The cursor statement runs last; an impossible UIDVALIDITY makes it fail after the
        // messages, locations and interactions were written inside the transaction.
        var work = batch(lastUID: 1, messages: [message(1, "mid:doomed@x")],
                         interactions: [InteractionRow(messageIdentity: "mid:doomed@x", contactID: ann, accountID: nil, direction: .inbound, occurredAt: when)])
        work.cursor.uidValidity = 0
        XCTAssertThrowsError(try Store.commitBatch(work, connection)) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, .checkViolation)
        }
        for table in ["messages", "message_locations", "interactions", "folder_state"] {
            XCTAssertEqual(try count(table), 0, table)
        }
        XCTAssertEqual(try count("mailboxes"), 0, "even the mailbox row was rolled back")
        XCTAssertFalse(connection.isInTransaction)
        work.cursor.uidValidity = 7
        XCTAssertEqual(try Store.commitBatch(work, connection).interactionsInserted, 1, "the same batch succeeds once fixed")
    }

    func testInvalidBatchIsRefusedBeforeTouchingTheDatabase() throws {
        let work = batch(lastUID: 1, messages: [message(1, "mid:a@x")],
                         interactions: [InteractionRow(messageIdentity: "mid:other@x", contactID: ann, accountID: nil, direction: .inbound, occurredAt: when)])
        XCTAssertThrowsError(try Store.commitBatch(work, connection)) {
            XCTAssertEqual($0 as? StoreError, .unknownMessageIdentity(batchMailbox: "sales", folder: "INBOX"))
        }
    }

    func testCursorNeverMovesBackAndResetsOnNewUIDValidity() throws {
        XCTAssertNil(try Store.loadFolderCursor(mailbox: "sales", folder: "INBOX", connection))
        try Store.commitBatch(batch(lastUID: 50, messages: [], interactions: []), connection)
        try Store.commitBatch(batch(lastUID: 20, messages: [], interactions: []), connection)
        XCTAssertEqual(try Store.loadFolderCursor(mailbox: "sales", folder: "INBOX", connection)?.lastUID, 50)
        var resync = batch(lastUID: 5, messages: [], interactions: [])
        resync.cursor.uidValidity = 8
        resync.cursor.highestModSeq = nil
        try Store.commitBatch(resync, connection)
        XCTAssertEqual(try Store.loadFolderCursor(mailbox: "sales", folder: "INBOX", connection),
                       FolderCursor(mailbox: "sales", folder: "INBOX", uidValidity: 8, lastUID: 5, highestModSeq: nil))
    }

    func testHostileTextIsStoredAndNulIsReplaced() throws {
        let subjects = ["'; DROP TABLE messages; --", "back\\slash \"quoted\"", "שלום 漢字 👩‍👩‍👧", "nul\u{0}byte",
                        String(repeating: "é", count: 500_000)]
        let messages = subjects.enumerated().map { message(UInt32($0.offset + 1), "mid:\($0.offset)@x", subject: $0.element) }
        try Store.commitBatch(batch(lastUID: 5, messages: messages, interactions: []), connection)
        let stored = try connection.query("SELECT subject FROM messages ORDER BY id").map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(stored, subjects.map { $0.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") })
    }

    func testUnmatchedPartiesAreRecordedOnce() throws {
        var work = batch(lastUID: 1, messages: [message(1, "mid:a@x")], interactions: [])
        work.unmatched = [UnmatchedParty(address: "Stranger@Else.example", displayName: "Stranger", messageIdentity: "mid:a@x"),
                          UnmatchedParty(address: "stranger@else.example", displayName: nil, messageIdentity: "mid:a@x")]
        try Store.commitBatch(work, connection)
        try Store.commitBatch(work, connection)
        let rows = try connection.query("SELECT address, display_name FROM unmatched_parties")
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(try rows[0].decode(String.self, at: 0), "stranger@else.example")
    }

    func testQuarantineCountsAttempts() throws {
        let entry = QuarantineEntry(mailbox: "sales", folder: "INBOX", uidValidity: 7, uid: 99, reason: "parser gave up")
        XCTAssertEqual(try Store.recordQuarantine(entry, connection), 1)
        XCTAssertEqual(try Store.recordQuarantine(entry, connection), 2)
        XCTAssertEqual(try count("quarantine"), 1)
    }

    func testInteractionLogViewShowsTheCommittedRow() throws {
        try Store.commitBatch(batch(lastUID: 1, messages: [message(1, "mid:a@x")], interactions: [
            InteractionRow(messageIdentity: "mid:a@x", contactID: ann, accountID: nil, direction: .inbound, occurredAt: when),
        ]), connection)
        let row = try connection.query("SELECT * FROM interaction_log")[0]
        XCTAssertEqual(try row.decode(String.self, column: "contact_email"), "ann@acme.example")
        XCTAssertEqual(try row.decode(Int64.self, column: "account_id"), acme, "account taken from the contact")
        XCTAssertEqual(try row.decode(String.self, column: "message_id"), "a@x")
        XCTAssertEqual(try row.decode(String.self, column: "mailbox"), "sales")
        XCTAssertEqual(try row.decode(Date.self, column: "occurred_at"), when)
    }

    func testConcurrentInsertOfTheSameMessageIsResolvedToTheOtherSessionsRow() throws {
        // Session B holds an uncommitted row with the batch's identity: our insert waits on its
        // unique-index entry, does nothing once B commits, and the id lookup that follows (a new
        // statement, so a new snapshot) must find B's row.
        let other = try database.connect()
        try other.query("BEGIN")
        try other.query("INSERT INTO messages (identity, subject) VALUES ('mid:race@x', 'from B')")

        final class Outcome: @unchecked Sendable {
            // Why @unchecked: written once by the worker thread before `done` is signalled,
            // read by the test thread only after waiting on it.
            var result: Result<CommitResult, any Error>?
            let done = DispatchSemaphore(value: 0)
        }
        let outcome = Outcome()
        let url = database.url
        let work = batch(lastUID: 1, messages: [message(1, "mid:race@x")], interactions: [
            InteractionRow(messageIdentity: "mid:race@x", contactID: ann, accountID: nil, direction: .inbound, occurredAt: when),
        ])
        let worker = Thread {
            outcome.result = Result { try Store.commitBatch(work, try PostgresConnection(url)) }
            outcome.done.signal()
        }
        worker.start()
        // Commit B only once our insert waits on its lock (bounded wait; ordering, not timing).
        for _ in 0..<500 {
            let waiting = try connection.query("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO messages%'
                """).scalar(Int.self)
            if waiting > 0 { break }
            usleep(10_000)
        }
        try other.query("COMMIT")
        outcome.done.wait()
        let result = try XCTUnwrap(outcome.result).get()
        XCTAssertEqual(result.newMessages, 0)
        XCTAssertEqual(result.existingMessages, 1)
        XCTAssertEqual(result.interactionsInserted, 1)
        XCTAssertEqual(try connection.query("SELECT subject FROM messages").scalar(String.self), "from B")
        XCTAssertEqual(try count("interactions"), 1)
    }

    func testDuplicatesInsideOneBatchAreAbsorbed() throws {
        var twice = message(2, "mid:a@x")
        twice.subject = "same Message-ID at another UID"
        let row = InteractionRow(messageIdentity: "mid:a@x", contactID: ann, accountID: nil, direction: .inbound, occurredAt: when)
        let result = try Store.commitBatch(batch(lastUID: 2, messages: [message(1, "mid:a@x"), twice], interactions: [row, row]), connection)
        XCTAssertEqual(result.newMessages, 1)
        XCTAssertEqual(result.interactionsInserted, 1)
        XCTAssertEqual(try count("message_locations"), 2, "both UIDs point at the one message")
    }

    func testDeletingParentsCascadesThroughTheTriggers() throws {
        try Store.commitBatch(batch(lastUID: 2, messages: [message(1, "mid:a@x"), message(2, "mid:b@x")], interactions: [
            InteractionRow(messageIdentity: "mid:a@x", contactID: ann, accountID: acme, direction: .inbound, occurredAt: when),
            InteractionRow(messageIdentity: "mid:a@x", contactID: bob, accountID: nil, direction: .inbound, occurredAt: when),
            InteractionRow(messageIdentity: "mid:b@x", contactID: nil, accountID: acme, direction: .inbound, occurredAt: when),
        ]), connection)
        try connection.query("DELETE FROM contacts WHERE id = \(bob)")
        XCTAssertEqual(try count("interactions"), 2)
        try connection.query("DELETE FROM accounts WHERE id = \(acme)")
        XCTAssertEqual(try connection.query("SELECT count(*) FROM interactions WHERE account_id IS NULL AND contact_id = \(ann)").scalar(Int.self), 1,
                       "contact-level row kept, account cleared; account-level row removed")
        XCTAssertEqual(try count("interactions"), 1)
        try connection.query("DELETE FROM messages WHERE identity = 'mid:a@x'")
        XCTAssertEqual(try count("interactions"), 0)
        XCTAssertEqual(try count("message_locations"), 1)
        try connection.query("DELETE FROM mailboxes")
        XCTAssertEqual(try count("message_locations"), 0)
    }

    func testContactSnapshotGroupsAddressesAndDomains() throws {
        try connection.query("INSERT INTO contact_addresses (address, contact_id, position) VALUES ('ann.b@acme.example', \(ann), 1)")
        let snapshot = try Store.loadContactSnapshot(connection)
        XCTAssertEqual(snapshot.contacts.map(\.id), [ann, bob])
        XCTAssertEqual(snapshot.contacts.first?.addresses, ["ann@acme.example", "ann.b@acme.example"])
        XCTAssertEqual(snapshot.accounts, [AccountRecord(id: acme, name: "Acme", ownerID: nil, domains: ["acme.example"])])
        XCTAssertFalse(connection.isInTransaction)
    }
}
