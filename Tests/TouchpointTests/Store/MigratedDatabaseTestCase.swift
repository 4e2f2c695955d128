import Postgres
import XCTest

/// A test case with its own freshly migrated database (dropped afterwards) and a connection to it.
/// Subclasses that seed rows override `setUpWithError`, call `super` first, then insert.
class MigratedDatabaseTestCase: XCTestCase {
    var database: StoreTestDatabase!
    var connection: PostgresConnection!

    override func setUpWithError() throws {
        try super.setUpWithError()
        database = try StoreTestDatabase()
        connection = try database.migrated()
    }

    override func tearDown() {
        connection = nil
        database?.drop()
        super.tearDown()
    }
}
