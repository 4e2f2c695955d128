import Foundation
import Postgres

/// A throwaway database per test: created through the admin URL, dropped (WITH FORCE) at the end,
/// so tests never see each other's rows.
public final class ScratchDatabase {
    public let name: String
    public let url: String
    private let adminURL: String

    public init() throws {
        let base = try StackEnvironment.value("TP_PG_URL")
        adminURL = try StackEnvironment.value("TP_PG_ADMIN_URL")
        name = "tp_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        if base.hasPrefix("postgres"), var components = URLComponents(string: base) {
            components.path = "/" + name
            url = components.string!
        } else {
            url = base + " dbname=" + name  // key=value conninfo: the last dbname wins
        }
        let owner = try PostgresConnection(base).query("SELECT current_user").scalar(String.self)
        let adminConnection = try PostgresConnection(adminURL)
        let quotedOwner = try adminConnection.query("SELECT quote_ident(\(owner))").scalar(String.self)
        try adminConnection.query("CREATE DATABASE \(unescaped: name) OWNER \(unescaped: quotedOwner)")
    }

    public func connect(onNotice: ((PostgresNotice) -> Void)? = nil) throws -> PostgresConnection {
        try PostgresConnection(url, onNotice: onNotice)
    }

    public func drop() {
        guard let adminConnection = try? PostgresConnection(adminURL) else { return }
        _ = try? adminConnection.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
    }
}
