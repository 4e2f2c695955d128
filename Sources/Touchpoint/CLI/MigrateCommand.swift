import Foundation
import Postgres

/// `touchpoint migrate`: applies the embedded schema migrations.
struct MigrateCommand: Command {
    let name = "migrate"
    let summary = "create or upgrade the database schema"
    let help = """
    Usage: touchpoint migrate [--config PATH] [--status]

    Applies the schema migrations built into this binary, in order, in one transaction under
    an advisory lock (so several instances may start at once). Running it again is a no-op.
    `serve` does the same on start. A database whose schema is newer than this binary is
    refused: upgrade the binary instead.

    Options:
      --status    print the database's schema version and this binary's, change nothing

    Exit status: 0 done, 69 database unreachable, 78 schema newer than this binary.

    """
    let spec = Arguments.Spec(flags: ["--status"])

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positionals.isEmpty else { throw CommandFailure.usage("takes no arguments") }
        let config = try context.loadConfig()
        let database = try Database.connect(config)
        if arguments.has("--status") {
            let current = try Migrator.currentVersion(database)
            context.io.out("database schema version \(current); this binary knows up to \(Migrator.latestVersion)\n")
            return .success
        }
        do {
            let report = try Migrator.migrate(database)
            if report.applied.isEmpty {
                context.io.out("schema is up to date (version \(report.toVersion))\n")
            } else {
                context.io.out("migrated from version \(report.fromVersion) to \(report.toVersion) (applied \(report.applied.map(String.init).joined(separator: ", ")))\n")
            }
            return .success
        } catch let error as MigrationError {
            throw CommandFailure(.configuration, error.description)
        }
    }
}

/// Opening the configured database, with errors an admin can act on.
enum Database {
    static func connect(_ config: Config) throws(CommandFailure) -> PostgresConnection {
        do {
            return try PostgresConnection(config.databaseURL)
        } catch {
            throw CommandFailure(.unavailable, "cannot connect to the database \(DatabaseURL.redacted(config.databaseURL)): \(error)")
        }
    }

    /// Connects and makes sure the schema is current (commands other than serve and migrate
    /// must not run against a half-made database).
    static func connectMigrated(_ config: Config) throws -> PostgresConnection {
        let database = try connect(config)
        do {
            try Migrator.migrate(database)
        } catch let error as MigrationError {
            throw CommandFailure(.configuration, error.description)
        }
        return database
    }
}
