import Postgres
import StackTestSupport
@testable import Touchpoint

/// Each test's own throwaway database (StackTestSupport).
typealias StoreTestDatabase = ScratchDatabase

extension ScratchDatabase {
    /// A connection to a freshly migrated database.
    func migrated() throws -> PostgresConnection {
        let connection = try connect()
        try Migrator.migrate(connection)
        return connection
    }
}
