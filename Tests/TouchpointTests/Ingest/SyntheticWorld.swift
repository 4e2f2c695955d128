import Foundation
import Postgres
import XCTest
@testable import Touchpoint

/// The world of the ingest end-to-end tests: a fresh database, a mail user loaded with synthetic
/// messages (SyntheticMailbox), its contacts imported, and a config for the `touchpoint` binary.
struct SyntheticWorld {
    let seed: String
    let count: Int
    let stack: TestStack
    let database: StoreTestDatabase
    let dir: URL
    let config: String
    let login: (user: String, password: String)

    /// A fresh database and mail user loaded with `count` synthetic messages (plus what
    /// `addMail` writes into their directory), contacts imported.
    static func make(count: Int, extraConfig: String = "", importContacts: Bool = true,
                     seed: String = String(UUID().uuidString.prefix(6).lowercased()),
                     addMail: (URL) throws -> Void = { _ in }) throws -> SyntheticWorld {
        let stack = try TestStack()
        let database = try StoreTestDatabase()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tp-robust-\(UUID().uuidString)")
        let mailbox = try SyntheticMailbox.write(count: count, to: dir.appendingPathComponent("mail"), seed: seed)
        let login = try stack.addMailUser("robust")
        try addMail(mailbox.directory)
        try stack.stack(["load-mail", login.user, "INBOX", mailbox.directory.path])
        let secret = dir.appendingPathComponent("imap.secret").path
        try login.password.write(toFile: secret, atomically: true, encoding: .utf8)
        let csv = dir.appendingPathComponent("contacts.csv").path
        try mailbox.contactsCSV().write(toFile: csv, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("touchpoint.conf").path
        try """
        [database]
        url = \(database.url)
        [company]
        domains = acme.example
        [mailbox "robust"]
        url = imaps://127.0.0.1:\(stack["TP_IMAPS_PORT"])/
        user = \(login.user)
        password-file = \(secret)
        ca-file = \(stack["TP_CA_FILE"])
        folders = INBOX
        batch-size = 500
        poll-interval = 1s
        \(extraConfig)
        [ingest]
        backoff-initial = 200ms
        backoff-max = 1s
        """.write(toFile: config, atomically: true, encoding: .utf8)
        if importContacts {
            let imported = try TestStack.run(TestStack.touchpointBinary, ["--config", config, "import", "contacts", csv])
            XCTAssertEqual(imported.status, 0, imported.error)
        }
        return SyntheticWorld(seed: seed, count: count, stack: stack, database: database, dir: dir, config: config, login: login)
    }

    func cleanUp() {
        database.drop()
        try? FileManager.default.removeItem(at: dir)
    }
}
