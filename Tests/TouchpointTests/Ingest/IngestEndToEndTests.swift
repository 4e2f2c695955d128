import Foundation
import Postgres
import XCTest
@testable import Touchpoint

/// The demo world of fixtures/ (two reps, INBOX and Sent, 545 files, 475 distinct messages in
/// a dozen charsets) synced by the real binary against the stack's Dovecot and PostgreSQL:
/// the `interaction_log` view must equal fixtures/demo/expected-interactions.csv exactly.
final class IngestEndToEndTests: XCTestCase {
    struct Row: Hashable, CustomStringConvertible {
        var messageID: String
        var direction: String
        var contact: String
        var account: String
        var description: String { "\(messageID) \(direction) contact=\(contact) account=\(account)" }
    }

    func expectedRows() throws -> Set<Row> {
        let path = TestStack.repositoryRoot.appendingPathComponent("fixtures/demo/expected-interactions.csv").path
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path), "fixtures/demo is missing: run fixtures/generate.py")
        var reader = CSVReader(Array(bytes))
        var rows = Set<Row>()
        var header: [String] = []
        while let next = reader.next() {
            guard case .success(let record) = next else { XCTFail("bad CSV in \(path)"); continue }
            if header.isEmpty { header = record.fields; continue }
            let field = { (name: String) in record.fields[header.firstIndex(of: name)!] }
            rows.insert(Row(messageID: field("message_id"), direction: field("direction"), contact: field("contact_email"), account: field("account")))
        }
        return rows
    }

    /// fixtures/demo/expected-threads.csv: message id → the first message of its reply chain.
    func expectedThreadRoots() throws -> [String: String] {
        let path = TestStack.repositoryRoot.appendingPathComponent("fixtures/demo/expected-threads.csv").path
        var reader = CSVReader(Array(try XCTUnwrap(FileManager.default.contents(atPath: path), "fixtures/demo is missing")))
        var roots: [String: String] = [:]
        var header = true
        while let next = reader.next() {
            guard case .success(let record) = next, record.fields.count == 2 else { XCTFail("bad CSV in \(path)"); continue }
            if header { header = false; continue }
            roots[record.fields[0]] = record.fields[1]
        }
        return roots
    }

    /// One way only (fixtures/README.md): messages with the same root share a thread id; two
    /// conversations with the same subject and participants may legitimately share one too.
    func assertConversationsReadAsOne(_ database: PostgresConnection) throws {
        var threadOf: [String: String] = [:]
        for row in try database.query("SELECT DISTINCT coalesce(message_id, '(none)'), thread_id FROM interaction_log") {
            threadOf[try row.decode(String.self, at: 0)] = try row.decode(String?.self, at: 1) ?? ""
        }
        let roots = try expectedThreadRoots()
        XCTAssertEqual(Set(threadOf.keys), Set(roots.keys))
        for (root, members) in Dictionary(grouping: roots.keys, by: { roots[$0]! }) {
            let threads = Set(members.map { threadOf[$0] ?? "" })
            XCTAssertEqual(threads.count, 1, "conversation \(root) is split over \(threads.sorted())")
            XCTAssertFalse(threads.contains(""), "conversation \(root) has a message without thread")
        }
        XCTAssertEqual(try database.query("SELECT count(*) FROM messages WHERE thread_key IS NULL").scalar(Int.self), 0,
                       "every message keeps its subject key for the thread window")
    }

    func loggedRows(_ database: PostgresConnection) throws -> [Row] {
        try database.query("""
            SELECT coalesce(l.message_id, '(none)'), l.direction, coalesce(l.contact_email, ''), coalesce(a.name, '')
              FROM interaction_log l LEFT JOIN accounts a ON a.id = l.account_id
            """).map {
            Row(messageID: try $0.decode(String.self, at: 0), direction: try $0.decode(String.self, at: 1),
                contact: try $0.decode(String.self, at: 2), account: try $0.decode(String.self, at: 3))
        }
    }

    func testDemoWorldLogsExactlyTheExpectedInteractionsOnceEvenWhenRunTwice() throws {
        let stack = try TestStack()
        let database = try StoreTestDatabase()
        defer { database.drop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tp-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let mail = TestStack.repositoryRoot.appendingPathComponent("fixtures/demo/mail")

        var sections = ""
        for (name, owner) in [("anna", "anna.kovacs@acme-trading.example"), ("david", "david.chen@acme-trading.example")] {
            let login = try stack.addMailUser("e2e-\(name)")
            let secret = dir.appendingPathComponent("\(name).secret").path
            try login.password.write(toFile: secret, atomically: true, encoding: .utf8)
            for folder in ["INBOX", "Sent"] {
                try stack.stack(["load-mail", login.user, folder, mail.appendingPathComponent("\(owner)/\(folder)").path])
            }
            sections += """
            [mailbox "\(name)"]
            url = imaps://127.0.0.1:\(stack["TP_IMAPS_PORT"])/
            user = \(login.user)
            password-file = \(secret)
            ca-file = \(stack["TP_CA_FILE"])
            batch-size = 100

            """
        }
        let config = dir.appendingPathComponent("touchpoint.conf").path
        try """
        [database]
        url = \(database.url)
        [company]
        domains = acme-trading.example, acme.example
        \(sections)
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let contacts = TestStack.repositoryRoot.appendingPathComponent("fixtures/demo/contacts.csv").path
        let imported = try TestStack.run(TestStack.touchpointBinary, ["--config", config, "import", "contacts", contacts])
        XCTAssertEqual(imported.status, 0, imported.error)
        XCTAssertTrue(imported.output.contains("45 created"), imported.output)

        let first = try TestStack.run(TestStack.touchpointBinary, ["--config", config, "serve", "--once"])
        XCTAssertEqual(first.status, 0, first.error)
        XCTAssertFalse(first.error.contains(stack["TP_IMAP_PASSWORD"]) || first.error.contains("pw-"), "no secret in the logs")

        let connection = try database.connect()
        let expected = try expectedRows()
        let logged = try loggedRows(connection)
        XCTAssertEqual(logged.count, Set(logged).count, "no duplicate rows in interaction_log")
        let missing = expected.subtracting(logged)
        let extra = Set(logged).subtracting(expected)
        XCTAssertTrue(missing.isEmpty, "missing: \(missing.sorted { $0.description < $1.description }.prefix(10))")
        XCTAssertTrue(extra.isEmpty, "extra: \(extra.sorted { $0.description < $1.description }.prefix(10))")
        XCTAssertEqual(logged.count, expected.count)
        try assertConversationsReadAsOne(connection)

        // A second run finds nothing new and changes nothing.
        let second = try TestStack.run(TestStack.touchpointBinary, ["--config", config, "serve", "--once"])
        XCTAssertEqual(second.status, 0, second.error)
        XCTAssertFalse(second.error.contains("event=batch.committed"), "nothing fetched on an unchanged mailbox")
        XCTAssertEqual(try loggedRows(connection).count, expected.count)

        // Every log line is one logfmt event with a stable name.
        for line in (first.error + second.error).split(separator: "\n") {
            let fields = try XCTUnwrap(LoggerTests.parseLogfmt(String(line)), "not logfmt: \(line)")
            XCTAssertNotNil(fields["event"], String(line))
        }

        let status = try TestStack.run(TestStack.touchpointBinary, ["--config", config, "status"])
        XCTAssertEqual(status.status, 0, status.error)
        XCTAssertTrue(status.output.contains("anna/INBOX: last sync"), status.output)
    }
}
