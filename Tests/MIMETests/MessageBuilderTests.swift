import Foundation
import XCTest
@testable import MIME

final class MessageBuilderTests: XCTestCase {
    func builder() -> MessageBuilder {
        var b = MessageBuilder(
            from: Mailbox(name: "Touchpoint Értesítő", address: "touchpoint@example.com"),
            to: [Mailbox(name: "Παπαδόπουλος, Γιώργος", address: "g@example.gr"), Mailbox(name: "Smith, \"J\"", address: "j@example.com"),
                 Mailbox(address: "plain@example.com")],
            subject: "Emlékeztető: 3 ügyfél vár — 你好 — " + String(repeating: "hosszú tárgy ", count: 8),
            text: "Kedves Kolléga,\n\n" + String(repeating: "ő", count: 200) + "\nline with trailing space \n=equals\n",
            html: "<p>Kedves <b>Kolléga</b>,</p><p>" + String(repeating: "ű", count: 100) + "</p>",
            date: Date(timeIntervalSince1970: 1_704_099_660),
            messageIDDomain: "example.com")
        b.cc = [Mailbox(name: "Ops", address: "ops@example.com")]
        b.extraHeaders = [("Auto-Submitted", "auto-generated")]
        return b
    }

    func testRoundTripThroughOurParser() throws {
        for encoding in [MessageBuilder.BodyEncoding.quotedPrintable, .base64] {
            var b = builder()
            b.bodyEncoding = encoding
            let (bytes, id) = try b.build()
            let m = MessageParser().parse(bytes)
            XCTAssertEqual(m.subject, b.subject)
            XCTAssertEqual(m.from, [b.from])
            XCTAssertEqual(m.to, b.to)
            XCTAssertEqual(m.cc, b.cc)
            XCTAssertEqual(m.messageID, id)
            XCTAssertTrue(id.hasSuffix("@example.com"))
            XCTAssertEqual(m.date, b.date)
            XCTAssertEqual(m.text, b.text)
            XCTAssertEqual(m.attachments, [])
            XCTAssertEqual(m.automated?.kind, .autoSubmitted)
            XCTAssertEqual(m.defects, [])
            let html = m.root.children[1]
            XCTAssertEqual(html.contentType.mimeType, "text/html")
            let decoded = TextPartDecoder.decode(bytes[html.bodyRange], transferEncoding: html.transferEncoding.description, charset: "utf-8", subtype: "plain")
            XCTAssertEqual(decoded.text, b.html)
        }
    }

    func testWireFormat() throws {
        let (bytes, _) = try builder().build()
        // CRLF only, lines ≤ 78 (all our generated lines are foldable or encoded), ASCII only.
        var lineLength = 0
        for (i, byte) in bytes.enumerated() {
            XCTAssertLessThan(byte, 0x80)
            if byte == ASCII.lf {
                XCTAssertEqual(bytes[i - 1], ASCII.cr, "bare LF at \(i)")
                XCTAssertLessThanOrEqual(lineLength - 1, 78)
                lineLength = 0
            } else {
                if byte == ASCII.cr { XCTAssertEqual(bytes[i + 1], ASCII.lf, "bare CR at \(i)") }
                lineLength += 1
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        for word in text.components(separatedBy: "=?UTF-8?B?").dropFirst() {
            let payload = word.components(separatedBy: "?=")[0]
            XCTAssertLessThanOrEqual(payload.count + 12, 75)
            // Each word decodes on its own: no UTF-8 sequence is split between words.
            let decoded = TransferEncoding.base64.decode(Array(payload.utf8))
            XCTAssertNotNil(String(validating: decoded, as: UTF8.self), payload)
        }
        XCTAssertTrue(text.contains("Date: Mon, 01 Jan 2024 09:01:00 +0000\r\n"))
        XCTAssertTrue(text.contains("\"Smith, \\\"J\\\"\" <j@example.com>"))
    }

    func testRefusesInjectedLineBreaksAndNUL() {
        for mutate in [
            { (b: inout MessageBuilder) in b.subject = "hi\r\nBcc: victim@example.com" },
            { (b: inout MessageBuilder) in b.subject = "nul\u{0}" },
            { (b: inout MessageBuilder) in b.to[0].name = "x\nBcc: y@example.com" },
            { (b: inout MessageBuilder) in b.to[0].address = "a@example.com\r\nBcc: y@example.com" },
            { (b: inout MessageBuilder) in b.from.address = "a@example.com\u{0}" },
            { (b: inout MessageBuilder) in b.extraHeaders = [("X-Test", "a\rb")] },
            { (b: inout MessageBuilder) in b.messageID = "id\n@x" },
        ] as [(inout MessageBuilder) -> Void] {
            var b = builder()
            mutate(&b)
            XCTAssertThrowsError(try b.build()) { error in
                guard case MessageBuildError.forbiddenCharacter = error else { return XCTFail("\(error)") }
            }
        }
    }

    func testRefusesBadAddressesAndHeaderNames() {
        var b = builder()
        b.to = [Mailbox(address: "not an address")]
        XCTAssertThrowsError(try b.build())
        b = builder()
        b.extraHeaders = [("Bad Name", "v")]
        XCTAssertThrowsError(try b.build())
        b = builder()
        b.to = []
        b.cc = []
        XCTAssertThrowsError(try b.build())
    }

    func testTextOnlyMessage() throws {
        for encoding in [MessageBuilder.BodyEncoding.quotedPrintable, .base64] {
            for text in [builder().text, "no final newline ü", ""] {
                var b = builder()
                b.html = nil
                b.text = text
                b.bodyEncoding = encoding
                let (bytes, _) = try b.build()
                let m = MessageParser().parse(bytes)
                XCTAssertEqual(m.root.contentType.mimeType, "text/plain")
                XCTAssertEqual(m.text, b.text)
                XCTAssertEqual(Array(bytes.suffix(2)), [ASCII.cr, ASCII.lf])
            }
        }
    }
}
