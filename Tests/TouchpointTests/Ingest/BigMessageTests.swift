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
        let seed = String(UUID().uuidString.prefix(6).lowercased())
        let big = Self.bigMessage(from: "c1@customer1.example", messageID: "\(seed)-big@synthetic.example")
        XCTAssertGreaterThan(big.count, 50_000_000)
        let world = try SyntheticWorld.make(count: 20, seed: seed) { mail in
            try big.write(to: mail.appendingPathComponent("zz-big.eml"))
        }
        defer { world.cleanUp() }
        let database = world.database

        let served = try TestStack.run(TestStack.touchpointBinary, ["--config", world.config, "serve", "--once"])
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
