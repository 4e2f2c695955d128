import Postgres

public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public let databaseVersion: Int
    public let binaryVersion: Int
    public var description: String {
        "the database schema is at version \(databaseVersion) but this touchpoint binary knows only up to "
            + "version \(binaryVersion): upgrade touchpoint (refusing to run against a newer schema)"
    }
}

public struct MigrationReport: Sendable, Equatable {
    public var fromVersion: Int
    public var toVersion: Int
    public var applied: [Int]
}

/// Applies the embedded migrations in one transaction under a transaction-level advisory lock,
/// so two daemons starting together migrate once and the second waits, then sees nothing to do.
public enum Migrator {
    /// Fixed key for the migration lock ("tpmigrat" in ASCII).
    static let lockKey: Int64 = 0x7470_6D69_6772_6174

    public static var latestVersion: Int { Migrations.latestVersion }

    @discardableResult
    public static func migrate(_ connection: PostgresConnection) throws -> MigrationReport {
        try migrate(connection, migrations: Migrations.all)
    }

    static func migrate(_ connection: PostgresConnection, migrations: [Migration]) throws -> MigrationReport {
        let known = migrations.last?.version ?? 0
        return try connection.transaction { tx in
            try tx.advisoryTransactionLock(lockKey)
            try tx.execute(script: """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version    int PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let current = try currentVersion(tx)
            guard current <= known else {
                throw MigrationError(databaseVersion: current, binaryVersion: known)
            }
            var applied: [Int] = []
            for migration in migrations where migration.version > current {
                try tx.execute(script: migration.script)
                try tx.query("INSERT INTO schema_version (version, name) VALUES (\(migration.version), \(migration.name))")
                applied.append(migration.version)
            }
            return MigrationReport(fromVersion: current, toVersion: max(current, known), applied: applied)
        }
    }

    /// The schema version of the database (0 when never migrated).
    public static func currentVersion(_ connection: PostgresConnection) throws -> Int {
        let exists = try connection.query("SELECT to_regclass('schema_version') IS NOT NULL").scalar(Bool.self)
        guard exists else { return 0 }
        return try connection.query("SELECT COALESCE(max(version), 0) FROM schema_version").scalar(Int.self)
    }

    /// For `serve`: throws `MigrationError` when the database is newer than this binary.
    public static func checkCompatible(_ connection: PostgresConnection) throws {
        let current = try currentVersion(connection)
        if current > latestVersion {
            throw MigrationError(databaseVersion: current, binaryVersion: latestVersion)
        }
    }
}
