import Foundation
import Postgres
import XCTest
@testable import Touchpoint

/// A 50 MB message is logged like any other: from its headers, structure and the first bytes
/// of its text, with the attachment summarised (name, type, size) and never downloaded.
final class BigMessageTests: XCTestCase {
    /// A text part and a ~37.5 MB PDF attachment, ~50 MiB on the wire after base64.
    static func bigMessage(from sender: String, messageID: String) -> Data {
        var message = Data("""
            From: Big Customer <\(sender)>\r
            To: rep@acme.example\r
            Subject: signed contract with all annexes\r
            Date: Mon, 02 Mar 2026 10:00:00 +0000\r
            Message-ID: <\(messageID)>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="big-boundary"\r
            \r
            --big-boundary\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Please find the signed contract attached.\r
            --big-boundary\r
            Content-Type: application/pdf; name="contract-annexes.pdf"\r
            Content-Disposition: attachment; filename="contract-annexes.pdf"\r
            Content-Transfer-Encoding: base64\r
            \r

            """.utf8)
        // 76-character base64 lines of varying bytes, as a real encoder writes them.
        let lineCount = 50 * 1024 * 1024 / 78
        var line = [UInt8](repeating: 0, count: 57)
        for index in 0..<lineCount {
            for position in line.indices { line[position] = UInt8(truncatingIfNeeded: index &* 31 &+ position &* 7) }
            message.append(Data(Data(line).base64EncodedString().utf8))
            message.append(contentsOf: [13, 10])
        }
        message.append(Data("--big-boundary--\r\n".utf8))
        return message
    }

    func testFiftyMegabyteMessageIsLoggedWithItsAttachmentSummary() throws {
        let stack = try TestStack()
        let database = try StoreTestDatabase()
        defer { database.drop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tp-big-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = String(UUID().uuidString.prefix(6).lowercased())
        let mailbox = try SyntheticMailbox.write(count: 20, to: dir.appendingPathComponent("mail"), seed: seed)
        let big = Self.bigMessage(from: "c1@customer1.example", messageID: "\(seed)-big@synthetic.example")
        XCTAssertGreaterThan(big.count, 50_000_000)
        try big.write(to: mailbox.directory.appendingPathComponent("zz-big.eml"))
        let login = try stack.addMailUser("big")
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
        [mailbox "big"]
        url = imaps://127.0.0.1:\(stack["TP_IMAPS_PORT"])/
        user = \(login.user)
        password-file = \(secret)
        ca-file = \(stack["TP_CA_FILE"])
        folders = INBOX
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let imported = try TestStack.run(TestStack.touchpointBinary, ["--config", config, "import", "contacts", csv])
        XCTAssertEqual(imported.status, 0, imported.error)

        let served = try TestStack.run(TestStack.touchpointBinary, ["--config", config, "serve", "--once"])
        XCTAssertEqual(served.status, 0, served.error)

        let connection = try database.connect()
        let rows = try connection.query("""
            SELECT m.size_bytes, m.snippet, a->>'filename', a->>'content_type', (a->>'size')::bigint,
                   (SELECT count(*) FROM interaction_log l WHERE l.message_id = m.message_id AND l.contact_email = 'c1@customer1.example')
            FROM messages m CROSS JOIN LATERAL jsonb_array_elements(m.attachments) a
            WHERE m.message_id = \("\(seed)-big@synthetic.example")
            """)
        XCTAssertEqual(rows.count, 1, "one stored message with one attachment")
        guard let row = rows.first else { return }
        XCTAssertEqual(try row.decode(Int64.self, at: 0), Int64(big.count), "RFC822.SIZE of the whole message")
        XCTAssertTrue(try row.decode(String.self, at: 1).contains("signed contract attached"))
        XCTAssertEqual(try row.decode(String.self, at: 2), "contract-annexes.pdf")
        XCTAssertEqual(try row.decode(String.self, at: 3), "application/pdf")
        let attachmentSize = try row.decode(Int64.self, at: 4)
        // Decoded size, estimated from the base64 size BODYSTRUCTURE gives (3 bytes per 4).
        XCTAssertGreaterThan(attachmentSize, 35_000_000)
        XCTAssertLessThan(attachmentSize, Int64(big.count))
        XCTAssertEqual(try row.decode(Int64.self, at: 5), 1, "one inbound interaction with the sender")
        let logged = try connection.query("SELECT count(*) FROM interaction_log").scalar(Int64.self)
        XCTAssertEqual(logged, Int64(SyntheticMailbox.expectedLog(count: 20, seed: seed).count + 1), "the small messages are logged too")
    }
}
