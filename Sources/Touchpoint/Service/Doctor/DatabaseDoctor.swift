import Foundation
import Postgres

/// The database checks of `touchpoint doctor`: reachable, which server, schema version against
/// this binary, and whether the role may write (probed in a transaction that is rolled back).
struct DatabaseDoctor {
    let url: String

    private struct ProbeRolledBack: Error {}

    func check(_ report: inout DoctorReport) {
        let subject = "database"
        let shown = DatabaseURL.redacted(url)
        let database: PostgresConnection
        do {
            database = try PostgresConnection(url)
        } catch {
            report.fail(subject, "cannot connect to \(shown): \(error)",
                        fix: "start PostgreSQL or correct [database] url (host, port, database name, role; see `journalctl -u postgresql`)")
            return
        }
        report.pass(subject, "connected to \(shown) as \(Self.scalarText(database, "SELECT current_user") ?? "?")")
        report.pass(subject, "PostgreSQL server \(Self.versionText(database.serverVersion))")
        if database.serverVersion < 120_000 {
            report.fail(subject, "PostgreSQL \(Self.versionText(database.serverVersion)) is older than 12", fix: "upgrade PostgreSQL to 12 or newer")
        }
        checkSchema(database, &report)
        checkWrite(database, &report)
    }

    private func checkSchema(_ database: PostgresConnection, _ report: inout DoctorReport) {
        let subject = "database"
        let current: Int
        do {
            current = try Migrator.currentVersion(database)
        } catch {
            report.fail(subject, "cannot read the schema version: \(error)", fix: "grant the role SELECT on schema_version")
            return
        }
        let binary = Migrator.latestVersion
        switch current {
        case binary:
            report.pass(subject, "schema version \(current), as this binary expects")
        case 0:
            report.pass(subject, "no Touchpoint schema yet; `touchpoint migrate` (or the first `serve`) creates version \(binary)")
        case ..<binary:
            report.pass(subject, "schema version \(current); this binary migrates it to \(binary) on start (`touchpoint migrate`)")
        default:
            report.fail(subject, "schema version \(current) is newer than this binary's \(binary)",
                        fix: "upgrade touchpoint on this host to the version the other instances run")
        }
    }

    /// CREATE, INSERT and DROP inside a transaction that is always rolled back: proves the role
    /// can run migrations and write, and leaves nothing behind.
    private func checkWrite(_ database: PostgresConnection, _ report: inout DoctorReport) {
        do {
            _ = try database.transaction { tx -> Void in
                try tx.query("CREATE TABLE touchpoint_doctor_probe (id int)")
                try tx.query("INSERT INTO touchpoint_doctor_probe VALUES (1)")
                if try Migrator.currentVersion(tx) > 0 {
                    let denied = try tx.query("""
                        SELECT string_agg(t, ', ') FROM unnest(ARRAY['messages','interactions','folder_state','reminders','outbox']) AS t
                         WHERE to_regclass(t) IS NOT NULL AND NOT has_table_privilege(t, 'INSERT, UPDATE')
                        """).scalar(String?.self)
                    if let denied { throw CommandFailure(.unavailable, "no INSERT/UPDATE on \(denied)") }
                }
                throw ProbeRolledBack()
            }
        } catch is ProbeRolledBack {
            report.pass("database", "the role may create tables and write (probe rolled back)")
        } catch {
            report.fail("database", "write permission: \(error)",
                        fix: "make the role own the database: ALTER DATABASE touchpoint OWNER TO <role> (see deploy/README.md)")
        }
    }

    static func scalarText(_ database: PostgresConnection, _ sql: PostgresQuery) -> String? {
        try? database.query(sql).scalar(String.self)
    }

    /// 150014 → "15.14" (PQserverVersion's encoding since PostgreSQL 10).
    static func versionText(_ number: Int) -> String {
        number >= 100_000 ? "\(number / 10_000).\(number % 10_000)" : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
    }
}
