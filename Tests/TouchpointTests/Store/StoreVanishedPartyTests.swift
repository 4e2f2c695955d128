import Foundation
import XCTest
import Postgres
@testable import Touchpoint

/// A contact or account deleted after the matcher's snapshot must not fail the batch forever:
/// its interactions are dropped, everything else of the batch is stored.
final class StoreVanishedPartyTests: MigratedDatabaseTestCase {
    func testInteractionsOfVanishedContactsAndAccountsAreDroppedAndTheRestStored() throws {
        let acme = try connection.query("INSERT INTO accounts (name) VALUES ('Acme') RETURNING id").scalar(Int64.self)
        let ann = try connection.query("INSERT INTO contacts (name, account_id) VALUES ('Ann', \(acme)) RETURNING id").scalar(Int64.self)
        let gone = try connection.query("INSERT INTO contacts (name) VALUES ('Gone') RETURNING id").scalar(Int64.self)
        let goneAccount = try connection.query("INSERT INTO accounts (name) VALUES ('Gone Ltd') RETURNING id").scalar(Int64.self)
        try connection.query("DELETE FROM contacts WHERE id = \(gone)")
        try connection.query("DELETE FROM accounts WHERE id = \(goneAccount)")

        let when = Date(timeIntervalSince1970: 1_700_000_000)
        func row(_ identity: String, contact: Int64?, account: Int64?, _ direction: InteractionDirection = .inbound) -> InteractionRow {
            InteractionRow(messageIdentity: identity, contactID: contact, accountID: account, direction: direction, occurredAt: when)
        }
        var batch = IngestBatch(cursor: FolderCursor(mailbox: "sales", folder: "INBOX", uidValidity: 1, lastUID: 2))
        batch.messages = [IngestedMessage(uid: 1, identity: "mid:one@x", date: when), IngestedMessage(uid: 2, identity: "mid:two@x", date: when)]
        batch.interactions = [
            row("mid:one@x", contact: ann, account: acme),  // kept
            row("mid:one@x", contact: gone, account: nil),  // contact vanished
            row("mid:one@x", contact: ann, account: goneAccount, .outbound),  // Ann's row naming a vanished account
            row("mid:two@x", contact: nil, account: acme),  // kept (account-level)
            row("mid:two@x", contact: nil, account: goneAccount),  // account vanished
        ]
        for _ in 0..<2 {  // the second run is a re-run over known messages (ON CONFLICT path)
            let result = try Store.commitBatch(batch, connection)
            XCTAssertEqual(result.interactionsInserted, result.newMessages == 2 ? 2 : 0)
            let stored = try connection.query("""
                SELECT coalesce(contact_id, 0), coalesce(account_id, 0) FROM interactions ORDER BY 1, 2
                """).map { [try $0.decode(Int64.self, at: 0), try $0.decode(Int64.self, at: 1)] }
            XCTAssertEqual(stored, [[0, acme], [ann, acme]])
            XCTAssertEqual(try connection.query("SELECT count(*) FROM messages").scalar(Int.self), 2)
        }
    }
}
