import Foundation
import XCTest
import Postgres
@testable import Touchpoint

/// A throwaway database per test: created through the admin URL, dropped (WITH FORCE) at the end,
/// so tests never see each other's rows.
final class StoreTestDatabase {
    let name: String
    let url: String
    private let adminURL: String

    init() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let base = environment["TP_PG_URL"], let admin = environment["TP_PG_ADMIN_URL"] else {
            throw XCTSkip("TP_PG_URL / TP_PG_ADMIN_URL not set: run deploy/local/test")
        }
        name = "tp_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        if base.hasPrefix("postgres"), var components = URLComponents(string: base) {
            components.path = "/" + name
            url = components.string!
        } else {
            url = base + " dbname=" + name  // key=value conninfo: the last dbname wins
        }
        adminURL = admin
        let owner = try PostgresConnection(base).query("SELECT current_user").scalar(String.self)
        let adminConnection = try PostgresConnection(admin)
        try adminConnection.query("CREATE DATABASE \(unescaped: name) OWNER \(unescaped: try quoted(owner, adminConnection))")
    }

    func connect(onNotice: ((PostgresNotice) -> Void)? = nil) throws -> PostgresConnection {
        try PostgresConnection(url, onNotice: onNotice)
    }

    /// A connection to a freshly migrated database.
    func migrated() throws -> PostgresConnection {
        let connection = try connect()
        try Migrator.migrate(connection)
        return connection
    }

    func drop() {
        guard let adminConnection = try? PostgresConnection(adminURL) else { return }
        _ = try? adminConnection.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
    }

    private func quoted(_ identifier: String, _ connection: PostgresConnection) throws -> String {
        try connection.query("SELECT quote_ident(\(identifier))").scalar(String.self)
    }
}

