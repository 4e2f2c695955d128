import Foundation
import XCTest
import Postgres
@testable import Touchpoint

final class MigratorTests: XCTestCase {
    private var database: StoreTestDatabase!

    override func setUpWithError() throws { database = try StoreTestDatabase() }
    override func tearDown() { database?.drop() }

    func testMigratesFromEmptyAndReRunIsANoOp() throws {
        let connection = try database.connect()
        XCTAssertEqual(try Migrator.currentVersion(connection), 0)
        let first = try Migrator.migrate(connection)
        XCTAssertEqual(first, MigrationReport(fromVersion: 0, toVersion: Migrator.latestVersion,
                                              applied: Migrations.all.map(\.version)))
        let tables = try tableNames(connection)
        let second = try Migrator.migrate(connection)
        XCTAssertEqual(second.applied, [])
        XCTAssertEqual(second.fromVersion, Migrator.latestVersion)
        XCTAssertEqual(try tableNames(connection), tables)
        XCTAssertEqual(try connection.query("SELECT count(*) FROM schema_version").scalar(Int.self), Migrations.all.count)
        for table in ["accounts", "account_domains", "owners", "contacts", "contact_addresses", "mailboxes", "folder_state",
                      "messages", "message_locations", "interactions", "unmatched_parties", "purchases", "reminders",
                      "outbox", "quarantine", "schema_version"] {
            XCTAssertTrue(tables.contains(table), "missing table \(table)")
        }
    }

    func testNewerDatabaseIsRefusedNamingBothVersions() throws {
        let connection = try database.migrated()
        try connection.query("INSERT INTO schema_version (version, name) VALUES (\(999), 'from the future')")
        XCTAssertThrowsError(try Migrator.migrate(connection)) { error in
            let failure = error as? MigrationError
            XCTAssertEqual(failure?.databaseVersion, 999)
            XCTAssertEqual(failure?.binaryVersion, Migrator.latestVersion)
            XCTAssertTrue("\(error)".contains("999"))
            XCTAssertTrue("\(error)".contains("version \(Migrator.latestVersion)"))
        }
        XCTAssertThrowsError(try Migrator.checkCompatible(connection))
    }

    func testFailingMigrationLeavesTheDatabaseUntouched() throws {
        let connection = try database.connect()
        let broken = Migration(version: Migrator.latestVersion + 1, name: "broken", script: "CREATE TABLE later (x int); SELECT 1/0")
        XCTAssertThrowsError(try Migrator.migrate(connection, migrations: Migrations.all + [broken])) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, SQLState("22012"))
        }
        XCTAssertEqual(try Migrator.currentVersion(connection), 0, "the whole run is one transaction")
        XCTAssertEqual(try tableNames(connection), [])
    }

    func testViewsHaveExactlyTheContractColumns() throws {
        let connection = try database.migrated()
        XCTAssertEqual(try viewColumns("interaction_log", connection),
                       ["interaction_id", "occurred_at", "direction", "contact_id", "contact_email", "account_id",
                        "subject", "snippet", "message_id", "thread_id", "mailbox"])
        XCTAssertEqual(try viewColumns("reminder_log", connection),
                       ["reminder_id", "contact_id", "contact_email", "owner_email", "kind", "reason", "due_at",
                        "p_alive", "expected_purchases", "status", "created_at", "sent_at"])
    }

    func testConstraintsEnforceTheInvariants() throws {
        let connection = try database.migrated()
        let contact = try connection.query("INSERT INTO contacts (name) VALUES ('Ann') RETURNING id").scalar(Int64.self)
        let due = Date(timeIntervalSince1970: 1_700_000_000)
        try connection.query("INSERT INTO reminders (contact_id, kind, reason, due_at) VALUES (\(contact), 'due', 'late', \(due))")
        XCTAssertThrowsError(try connection.query(
            "INSERT INTO reminders (contact_id, kind, reason, due_at) VALUES (\(contact), 'due', 'again', \(due))")) {
            XCTAssertEqual(($0 as? PostgresError)?.constraint, "reminders_one_open_per_contact_kind")
        }
        // Another kind, or once the first is acknowledged, is fine.
        try connection.query("INSERT INTO reminders (contact_id, kind, reason, due_at) VALUES (\(contact), 'win_back', 'quiet', \(due))")
        try connection.query("UPDATE reminders SET status = 'acked' WHERE kind = 'due'")
        try connection.query("INSERT INTO reminders (contact_id, kind, reason, due_at) VALUES (\(contact), 'due', 'late again', \(due))")

        try connection.query("INSERT INTO purchases (contact_id, purchased_at, amount, currency, external_ref) VALUES (\(contact), \(due), \(Decimal(string: "19.99")!), 'EUR', 'order-1')")
        XCTAssertThrowsError(try connection.query(
            "INSERT INTO purchases (contact_id, purchased_at, external_ref) VALUES (\(contact), \(due), 'order-1')")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, .uniqueViolation)
        }
        XCTAssertThrowsError(try connection.query("INSERT INTO contact_addresses (address, contact_id) VALUES ('Upper@Example.com', \(contact))")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, .checkViolation)
        }
    }

    private func tableNames(_ connection: PostgresConnection) throws -> [String] {
        try connection.query("""
            SELECT table_name FROM information_schema.tables
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
            """).map { try $0.decode(String.self, at: 0) }
    }

    private func viewColumns(_ view: String, _ connection: PostgresConnection) throws -> [String] {
        try connection.query("""
            SELECT column_name FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = \(view) ORDER BY ordinal_position
            """).map { try $0.decode(String.self, at: 0) }
    }

    func testVersionsOnlyGoUp() {
        let versions = Migrations.all.map(\.version)
        XCTAssertEqual(versions, versions.sorted())
        XCTAssertEqual(Set(versions).count, versions.count)
    }

    /// Version 6 rebuilds the interaction indexes of a database that already holds rows: the rows
    /// survive, one interaction per message, contact and direction is still enforced, and the
    /// old per-column indexes are gone.
    func testInteractionIndexMigrationKeepsRowsAndUniqueness() throws {
        let connection = try database.connect()
        _ = try Migrator.migrate(connection, migrations: Migrations.all.filter { $0.version <= 4 })
        let contact = try connection.query("INSERT INTO contacts (name) VALUES ('Ann') RETURNING id").scalar(Int64.self)
        let message = try connection.query("INSERT INTO messages (identity) VALUES ('mid:a@x') RETURNING id").scalar(Int64.self)
        try connection.query("""
            INSERT INTO interactions (message_id, contact_id, direction, occurred_at)
            VALUES (\(message), \(contact), 'inbound', now()), (\(message), \(contact), 'outbound', now())
            """)
        let report = try Migrator.migrate(connection)
        XCTAssertTrue(report.applied.contains(6))
        XCTAssertEqual(try connection.query("SELECT count(*) FROM interactions").scalar(Int.self), 2)
        XCTAssertThrowsError(try connection.query("""
            INSERT INTO interactions (message_id, contact_id, direction, occurred_at) VALUES (\(message), \(contact), 'inbound', now())
            """)) { error in
            XCTAssertEqual((error as? PostgresError)?.constraint, "interactions_contact_key", "\(error)")
        }
        let indexes = try connection.query("SELECT indexname FROM pg_indexes WHERE tablename = 'interactions' ORDER BY 1")
            .map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(indexes, ["interactions_account_key", "interactions_account_level_idx", "interactions_contact_key", "interactions_pkey"])
    }
}
