import Foundation
import XCTest
import Postgres
@testable import Touchpoint

/// Migration 7 replaced the foreign keys of the tables a contact import writes with
/// statement-level triggers. These tests hold the triggers to what the foreign keys promised,
/// for any SQL writer, not only the importer.
final class ContactImportReferenceTests: MigratedDatabaseTestCase {
    /// One owner, one account with one domain, one contact with two addresses; returns the ids.
    private func seed() throws -> (owner: Int64, account: Int64, contact: Int64) {
        let owner = try connection.query("INSERT INTO owners (email) VALUES ('rep@example.com') RETURNING id").scalar(Int64.self)
        let account = try connection.query("INSERT INTO accounts (name, owner_id) VALUES ('Acme', \(owner)) RETURNING id").scalar(Int64.self)
        try connection.query("INSERT INTO account_domains (domain, account_id) VALUES ('acme.example', \(account))")
        let contact = try connection.query("""
            INSERT INTO contacts (name, account_id, owner_id) VALUES ('Ann', \(account), \(owner)) RETURNING id
            """).scalar(Int64.self)
        try connection.query("""
            INSERT INTO contact_addresses (address, contact_id, position)
            VALUES ('ann@acme.example', \(contact), 0), ('ann@home.example', \(contact), 1)
            """)
        return (owner, account, contact)
    }

    private func count(_ table: String, where condition: String = "true") throws -> Int {
        try connection.query("SELECT count(*) FROM \(unescaped: table) WHERE \(unescaped: condition)").scalar(Int.self)
    }

    private func assertForeignKeyViolation(_ constraint: String, _ statement: () throws -> Void,
                                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try statement(), file: file, line: line) { error in
            let failure = error as? PostgresError
            XCTAssertEqual(failure?.sqlState, .foreignKeyViolation, "\(error)", file: file, line: line)
            XCTAssertEqual(failure?.constraint, constraint, file: file, line: line)
        }
    }

    func testEveryRelationRejectsADanglingReferenceOnInsertAndUpdate() throws {
        let ids = try seed()
        let missing: Int64 = 999_999
        assertForeignKeyViolation("contact_addresses_contact_id_fkey") {
            try connection.query("INSERT INTO contact_addresses (address, contact_id) VALUES ('ghost@example.com', \(missing))")
        }
        assertForeignKeyViolation("contact_addresses_contact_id_fkey") {
            try connection.query("UPDATE contact_addresses SET contact_id = \(missing) WHERE address = 'ann@home.example'")
        }
        assertForeignKeyViolation("contacts_account_id_fkey") {
            try connection.query("INSERT INTO contacts (name, account_id) VALUES ('Bad', \(missing))")
        }
        assertForeignKeyViolation("contacts_owner_id_fkey") {
            try connection.query("UPDATE contacts SET owner_id = \(missing) WHERE id = \(ids.contact)")
        }
        assertForeignKeyViolation("account_domains_account_id_fkey") {
            try connection.query("INSERT INTO account_domains (domain, account_id) VALUES ('bad.example', \(missing))")
        }
        assertForeignKeyViolation("accounts_owner_id_fkey") {
            try connection.query("INSERT INTO accounts (name, owner_id) VALUES ('Bad', \(missing))")
        }
        XCTAssertEqual(try count("contact_addresses", where: "contact_id = \(ids.contact)"), 2, "the failed update changed nothing")
        XCTAssertEqual(try count("contacts"), 1)
        XCTAssertEqual(try count("accounts"), 1)
        XCTAssertEqual(try count("account_domains"), 1)
    }

    func testOneDanglingRowFailsTheWholeStatement() throws {
        let ids = try seed()
        assertForeignKeyViolation("contact_addresses_contact_id_fkey") {
            try connection.query("""
                INSERT INTO contact_addresses (address, contact_id)
                SELECT 'bulk' || n || '@example.com', CASE WHEN n = 500 THEN -1 ELSE \(ids.contact) END
                  FROM generate_series(1, 1000) n
                """)
        }
        XCTAssertEqual(try count("contact_addresses"), 2)
    }

    func testNullReferencesAndValidMultiRowWritesPass() throws {
        let ids = try seed()
        try connection.query("INSERT INTO contacts (name) SELECT 'Loose ' || n FROM generate_series(1, 3) n")
        try connection.query("UPDATE contacts SET account_id = \(ids.account), owner_id = NULL")
        XCTAssertEqual(try count("contacts", where: "account_id = \(ids.account) AND owner_id IS NULL"), 4)
    }

    func testDeletesCascadeOrClearReferences() throws {
        let ids = try seed()
        try connection.query("DELETE FROM owners WHERE id = \(ids.owner)")
        XCTAssertEqual(try count("accounts", where: "owner_id IS NULL"), 1)
        XCTAssertEqual(try count("contacts", where: "owner_id IS NULL"), 1)

        try connection.query("DELETE FROM accounts WHERE id = \(ids.account)")
        XCTAssertEqual(try count("account_domains"), 0)
        XCTAssertEqual(try count("contacts", where: "account_id IS NULL"), 1, "the contact stays, without its account")

        try connection.query("DELETE FROM contacts WHERE id = \(ids.contact)")
        XCTAssertEqual(try count("contact_addresses"), 0)
    }

    func testTruncatingAParentAppliesItsDeleteRules() throws {
        _ = try seed()
        try connection.query("TRUNCATE owners CASCADE")  // CASCADE: reminders.owner_id keeps a real foreign key
        XCTAssertEqual(try count("contacts", where: "owner_id IS NOT NULL") + count("accounts", where: "owner_id IS NOT NULL"), 0)
        try connection.query("TRUNCATE accounts")
        XCTAssertEqual(try count("account_domains"), 0)
        XCTAssertEqual(try count("contacts", where: "account_id IS NOT NULL"), 0)
        try connection.query("TRUNCATE contacts CASCADE")  // purchases and reminders keep real foreign keys
        XCTAssertEqual(try count("contact_addresses"), 0)
    }

    func testAReferencedIdCannotChangeButAnUnreferencedOneCan() throws {
        let ids = try seed()
        XCTAssertThrowsError(try connection.query("UPDATE contacts SET id = id + 1000 WHERE id = \(ids.contact)")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, .foreignKeyViolation)
        }
        XCTAssertThrowsError(try connection.query("UPDATE accounts SET id = id + 1000")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, .foreignKeyViolation)
        }
        XCTAssertThrowsError(try connection.query("UPDATE owners SET id = id + 1000")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, .foreignKeyViolation)
        }
        let loose = try connection.query("INSERT INTO contacts (name) VALUES ('Loose') RETURNING id").scalar(Int64.self)
        try connection.query("UPDATE contacts SET id = \(loose + 1000) WHERE id = \(loose)")
        XCTAssertEqual(try count("contacts", where: "id = \(loose + 1000)"), 1)
    }

    /// The check locks the parents it relies on, like a foreign key: a concurrent delete of the
    /// contact cannot slip in between the check and the commit, and once it runs it cascades.
    func testAWriterLocksTheParentsItReferences() throws {
        let ids = try seed()
        let other = try database.connect()
        try other.query("SET lock_timeout = '200ms'")
        try connection.transaction { tx in
            try tx.query("INSERT INTO contact_addresses (address, contact_id) VALUES ('ann@new.example', \(ids.contact))")
            XCTAssertThrowsError(try other.query("DELETE FROM contacts WHERE id = \(ids.contact)")) {
                XCTAssertEqual(($0 as? PostgresError)?.sqlState, .lockNotAvailable, "\($0)")
            }
        }
        try other.query("DELETE FROM contacts WHERE id = \(ids.contact)")
        XCTAssertEqual(try count("contact_addresses"), 0, "the committed address went with its contact")
    }

    /// Migration 8: a parent the writing transaction inserted itself is invisible to everybody
    /// else until the commit, so the check leaves it unlocked (a lock would set its xmax); a
    /// committed parent is still locked.
    func testParentsTheWriterInsertedItselfAreNotLocked() throws {
        let ids = try seed()
        try connection.transaction { tx in
            let own = try tx.query("INSERT INTO contacts (name) VALUES ('New') RETURNING id").scalar(Int64.self)
            try tx.query("""
                INSERT INTO contact_addresses (address, contact_id)
                VALUES ('new@example.com', \(own)), ('ann@third.example', \(ids.contact))
                """)
            XCTAssertEqual(try tx.query("SELECT xmax::text FROM contacts WHERE id = \(own)").scalar(String.self), "0",
                           "the writer's own contact was locked")
            XCTAssertNotEqual(try tx.query("SELECT xmax::text FROM contacts WHERE id = \(ids.contact)").scalar(String.self), "0",
                              "the committed contact was not locked")
        }
        XCTAssertEqual(try count("contact_addresses"), 4)
    }

    /// A parent written under a savepoint carries a subtransaction id: it is checked (and locked)
    /// like anybody's, and once the savepoint is rolled back it is missing.
    func testParentsWrittenUnderASavepointAreCheckedLikeAnyOther() throws {
        try connection.transaction { tx in
            try tx.query("SAVEPOINT s")
            let kept = try tx.query("INSERT INTO contacts (name) VALUES ('Kept') RETURNING id").scalar(Int64.self)
            try tx.query("RELEASE SAVEPOINT s")
            try tx.query("INSERT INTO contact_addresses (address, contact_id) VALUES ('kept@example.com', \(kept))")

            try tx.query("SAVEPOINT t")
            let dropped = try tx.query("INSERT INTO contacts (name) VALUES ('Dropped') RETURNING id").scalar(Int64.self)
            try tx.query("ROLLBACK TO SAVEPOINT t")
            try tx.query("SAVEPOINT u")
            assertForeignKeyViolation("contact_addresses_contact_id_fkey") {
                try tx.query("INSERT INTO contact_addresses (address, contact_id) VALUES ('dropped@example.com', \(dropped))")
            }
            try tx.query("ROLLBACK TO SAVEPOINT u")
        }
        XCTAssertEqual(try count("contact_addresses"), 1)
    }

    func testADeletedParentIsMissingForALaterWriter() throws {
        let ids = try seed()
        let other = try database.connect()
        try other.query("DELETE FROM contacts WHERE id = \(ids.contact)")
        assertForeignKeyViolation("contact_addresses_contact_id_fkey") {
            try connection.query("INSERT INTO contact_addresses (address, contact_id) VALUES ('late@example.com', \(ids.contact))")
        }
    }

    func testExternalIDStaysUniqueWhileContactsWithoutOneAreFree() throws {
        try connection.query("INSERT INTO contacts (name) VALUES ('A'), ('B')")
        try connection.query("INSERT INTO contacts (name, external_id) VALUES ('C', 'X-1')")
        XCTAssertThrowsError(try connection.query("INSERT INTO contacts (name, external_id) VALUES ('D', 'X-1')")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, .uniqueViolation)
            XCTAssertEqual(($0 as? PostgresError)?.constraint, "contacts_external_id_key")
        }
    }

    // MARK: - crm_catalog_version still moves once per statement

    private func catalogVersion() throws -> Int {
        try connection.query("SELECT version FROM crm_catalog_version").scalar(Int.self)
    }

    func testCatalogVersionBumpsOncePerStatementWhateverTheRowCount() throws {
        let start = try catalogVersion()
        try connection.query("INSERT INTO contacts (name) SELECT 'C' || n FROM generate_series(1, 500) n")
        XCTAssertEqual(try catalogVersion(), start + 1)
        try connection.query("""
            INSERT INTO contact_addresses (address, contact_id) SELECT 'c' || id || '@example.com', id FROM contacts
            """)
        XCTAssertEqual(try catalogVersion(), start + 2)

        // A delete and its cascade to the addresses: two statements, however many contacts.
        try connection.query("DELETE FROM contacts WHERE id IN (SELECT id FROM contacts ORDER BY id LIMIT 1)")
        let afterOne = try catalogVersion()
        try connection.query("DELETE FROM contacts")
        XCTAssertEqual(try catalogVersion() - afterOne, afterOne - (start + 2))
        XCTAssertEqual(afterOne - (start + 2), 2)
    }

    func testAnImportBumpsTheCatalogVersionIndependentlyOfItsSize() throws {
        func bump(_ rows: Int, tag: String) throws -> Int {
            var csv = "name,email,account,account_domains,owner_email\n"
            for n in 0..<rows {
                csv += "P\(n),p\(n)@\(tag).example,Acct \(tag) \(n % 3),\(tag)\(n % 3).example,rep\(n % 2)@\(tag).example\n"
            }
            let before = try catalogVersion()
            let summary = try ContactImporter(connection).run(Array(csv.utf8))
            XCTAssertEqual(summary.created, rows)
            return try catalogVersion() - before
        }
        let small = try bump(3, tag: "small")
        XCTAssertEqual(try bump(300, tag: "large"), small)
        XCTAssertLessThanOrEqual(small, 8)
    }
}
