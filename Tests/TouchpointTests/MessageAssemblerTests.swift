import Foundation
import XCTest
@testable import IMAP
@testable import MIME
@testable import Touchpoint

final class MessageAssemblerTests: XCTestCase {
    func part(_ type: String, _ subtype: String, params: [(String, String)] = [], encoding: String = "7bit", size: UInt64,
              disposition: (String, [(String, String)])? = nil) -> BodyStructure {
        .singlePart(BodyPart(
            mediaType: type, subtype: subtype, parameters: params.map { BodyParameter(name: $0.0, value: $0.1) },
            id: nil, description: nil, encoding: encoding, size: size, lines: nil, encapsulated: nil, md5: nil,
            disposition: disposition.map { ContentDisposition(kind: $0.0, parameters: $0.1.map { BodyParameter(name: $0.0, value: $0.1) }) },
            language: [], location: nil))
    }

    func testAssemblesHeadersTextAndAttachmentsFromFetchedParts() {
        let headers = Array("""
        From: =?iso-8859-7?B?w+X+8ePp7/Ig0OHw4eT88O/16+/y?= <g.papadopoulos@olympus.example.gr>\r
        To: Anna <anna@acme.example>\r
        Subject: =?utf-8?B?zqDPgc6/z4PPhs6/z4HOrA==?=\r
        Date: Tue, 3 Nov 2026 09:15:00 +0200\r
        Message-ID: <offer-1@olympus.example.gr>\r
        \r

        """.utf8)
        let greekText = Array("Καλημέρα σας,\r\nστέλνω την προσφορά.\r\n> παλιό κείμενο\r\n".utf8)
        let structure = BodyStructure.multipart(MultipartBody(
            parts: [
                part("text", "plain", params: [("charset", "utf-8")], encoding: "8bit", size: UInt64(greekText.count)),
                part("application", "pdf", encoding: "base64", size: 78_000,
                     disposition: ("attachment", [("filename*", "utf-8''%CE%A0%CF%81%CE%BF%CF%83%CF%86%CE%BF%CF%81%CE%AC.pdf")])),
            ],
            subtype: "mixed", parameters: [], disposition: nil, language: [], location: nil))
        let fetched = FetchedMessage(
            uid: UID(42), size: 80_000, internalDate: nil, bodyStructure: structure, headerBytes: headers,
            firstTextPart: TextPart(section: [1], bytes: greekText, truncated: false, transferEncoding: "8bit", charset: "utf-8", subtype: "plain"))
        let message = MessageAssembler().assemble(fetched)
        XCTAssertEqual(message.uid, 42)
        XCTAssertEqual(message.identity, "offer-1@olympus.example.gr")
        XCTAssertEqual(message.subject, "Προσφορά")
        XCTAssertEqual(message.from.first?.name, "Γεώργιος Παπαδόπουλος")
        XCTAssertEqual(message.from.first?.address, "g.papadopoulos@olympus.example.gr")
        XCTAssertEqual(message.snippet, "Καλημέρα σας, στέλνω την προσφορά.")
        XCTAssertEqual(message.attachments, [.init(filename: "Προσφορά.pdf", contentType: "application/pdf", size: 57_000)])
        XCTAssertEqual(message.date, Date(timeIntervalSince1970: 1_793_690_100))
        XCTAssertNil(message.automated)
    }

    func testTruncatedTextIsNotADefectAndMissingMessageIDGetsStableHash() {
        let headers = Array("From: x@example.com\r\nSubject: no id\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\n".utf8)
        let structure = part("text", "plain", params: [("charset", "koi8-r")], encoding: "base64", size: 100_000)
        let text = Array(Data("Привет, это длинное письмо".data(using: .utf8)!).base64EncodedString().utf8)
        func fetch(uid: UInt32) -> FetchedMessage {
            FetchedMessage(uid: UID(uid), size: 100_500, internalDate: nil, bodyStructure: structure, headerBytes: headers,
                           firstTextPart: TextPart(section: [1], bytes: Array(text.prefix(20)), truncated: true,
                                                   transferEncoding: "base64", charset: "utf-8", subtype: "plain"))
        }
        let first = MessageAssembler().assemble(fetch(uid: 1))
        let second = MessageAssembler().assemble(fetch(uid: 9))
        XCTAssertNil(first.messageID)
        XCTAssertTrue(first.identity.hasPrefix("sha256:"))
        XCTAssertEqual(first.identity, second.identity, "the same message in two mailboxes hashes alike")
        XCTAssertFalse(first.defects.contains { $0.hasPrefix("truncated") }, "\(first.defects)")
        XCTAssertEqual(first.attachments, [])
    }

    func testAutomatedFromRootContentType() {
        let headers = Array("From: MAILER-DAEMON@mx.example.com\r\nTo: anna@acme.example\r\nSubject: Undelivered\r\n\r\n".utf8)
        let structure = BodyStructure.multipart(MultipartBody(
            parts: [part("text", "plain", size: 10), part("message", "delivery-status", size: 10)],
            subtype: "report", parameters: [BodyParameter(name: "report-type", value: "delivery-status")],
            disposition: nil, language: [], location: nil))
        let message = MessageAssembler().assemble(FetchedMessage(
            uid: UID(3), size: 500, internalDate: nil, bodyStructure: structure, headerBytes: headers, firstTextPart: nil))
        XCTAssertNotNil(message.automated)
    }

    func testSnippet() {
        XCTAssertEqual(Snippet.make(from: "Hi Anna,\n\n  thanks!\n> quoted\n-- \nsignature"), "Hi Anna, thanks!")
        let long = String(repeating: "word ", count: 200)
        let snippet = Snippet.make(from: long)
        XCTAssertLessThanOrEqual(snippet.count, Snippet.maximumCharacters + 2)
        XCTAssertTrue(snippet.hasSuffix("…"))
    }
}
