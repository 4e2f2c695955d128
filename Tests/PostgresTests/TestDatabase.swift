import Foundation
import XCTest
import Postgres

/// A throwaway database per test: created through the admin URL, dropped (WITH FORCE) at the end,
/// so tests never see each other's rows.
final class TestDatabase {
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

    func drop() {
        guard let adminConnection = try? PostgresConnection(adminURL) else { return }
        _ = try? adminConnection.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
    }

    private func quoted(_ identifier: String, _ connection: PostgresConnection) throws -> String {
        try connection.query("SELECT quote_ident(\(identifier))").scalar(String.self)
    }
}

/// Runs a `$TP_STACK` subcommand (e.g. `restart pg`). posix_spawn + waitpid rather than
/// Foundation.Process: on Linux, Process.waitUntilExit missed the exit of a script whose
/// grandchild (the restarted postmaster) daemonised, and hung.
func runStack(_ arguments: [String]) throws {
    guard let stack = ProcessInfo.processInfo.environment["TP_STACK"] else {
        throw XCTSkip("TP_STACK not set: run deploy/local/test")
    }
    let argv = ([stack] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, stack, nil, nil, argv, environ)
    guard spawned == 0 else { throw XCTSkip("cannot run \(stack): errno \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    XCTAssertEqual(status, 0, "\(stack) \(arguments.joined(separator: " ")) failed with status \(status)")
}
