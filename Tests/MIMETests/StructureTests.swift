import XCTest
@testable import MIME

final class StructureTests: XCTestCase {
    let parser = MessageParser()

    static let mixed = """
    From: Ann <ann@example.com>
    To: bob@example.org
    Subject: report
    Content-Type: multipart/mixed; boundary="outer"

    preamble text
    --outer
    Content-Type: multipart/alternative; boundary="outer-inner"

    --outer-inner
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: quoted-printable

    Hello caf=C3=A9,=20
    see attached.
    --outer-inner
    Content-Type: text/html; charset=utf-8

    <p>Hello <b>café</b></p>
    --outer-inner--
    --outer
    Content-Type: application/pdf; name="a.pdf"
    Content-Disposition: attachment; filename="report.pdf"
    Content-Transfer-Encoding: base64

    JVBERi0xLjQKJcfs
    j6IKMSAwIG9iago=
    --outer--
    epilogue

    """

    func testMultipartTreeTextAndAttachments() {
        let m = parser.parse(crlf(Self.mixed))
        XCTAssertEqual(m.text, "Hello café, \nsee attached.")
        XCTAssertEqual(m.attachments.count, 1)
        XCTAssertEqual(m.attachments.first?.filename, "report.pdf")
        XCTAssertEqual(m.attachments.first?.contentType, "application/pdf")
        XCTAssertEqual(m.attachments.first?.size, 23)
        XCTAssertEqual(m.root.children.count, 2)
        XCTAssertEqual(m.root.children[0].children.count, 2)  // "outer-inner" is not mistaken for "outer"
        XCTAssertEqual(m.root.children[1].path, "2")
        let input = crlf(Self.mixed)
        XCTAssertEqual(m.root.preambleRange.map { String(decoding: input[$0], as: UTF8.self) }, "preamble text")
        XCTAssertEqual(m.root.epilogueRange.map { String(decoding: input[$0], as: UTF8.self) }, "epilogue\r\n")
        XCTAssertEqual(m.root.children[0].preambleRange?.count, 0)
        XCTAssertEqual(m.defects, [])
    }

    func testAttachmentSizeMatchesDecodedBytes() {
        let input = crlf(Self.mixed)
        let m = parser.parse(input)
        let attachment = m.attachments[0]
        XCTAssertEqual(attachment.transferEncoding.decode(Array(input[attachment.bodyRange])).count, attachment.size)
    }

    func testHTMLUsedWhenNoPlainText() {
        let html = "<html><head><title>t</title><style>p{}</style></head><body><p>Gr\u{FC}&szlig;e&nbsp;&amp; more</p><p>second<br>line</p><script>x()</script></body></html>"
        let latin1 = html.unicodeScalars.map { UInt8($0.value) }
        let m = parser.parse(bytes("Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html; charset=iso-8859-1\n\n") + latin1 + bytes("\n--b--\n"))
        XCTAssertEqual(m.text, "Grüße\u{A0}& more\n\nsecond\nline")
    }

    func testMissingClosingBoundaryIsTruncation() {
        let m = parser.parse(bytes("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\npartial tex"))
        XCTAssertEqual(m.text, "partial tex")
        XCTAssertTrue(m.defects.contains { $0.hasPrefix("truncated") })
    }

    func testCallerTruncationDropsIncompleteCharacter() {
        let input = bytes("Content-Type: text/plain; charset=utf-8\n\ncaf") + [0xC3]
        let m = parser.parse(input, truncated: true)
        XCTAssertEqual(m.text, "caf")
        XCTAssertTrue(m.defects.contains { $0.hasPrefix("truncated") })
    }

    func testMissingBoundaryParameterAndBoundaryNeverFound() {
        let noParam = parser.parse(bytes("Content-Type: multipart/mixed\n\njust text\n"))
        XCTAssertEqual(noParam.text, "just text\n")
        XCTAssertFalse(noParam.defects.isEmpty)
        let notFound = parser.parse(bytes("Content-Type: multipart/mixed; boundary=zzz\n\njust text\n"))
        XCTAssertEqual(notFound.text, "just text\n")
        XCTAssertFalse(notFound.defects.isEmpty)
    }

    func testDelimiterWithTrailingWhitespaceAndJunk() {
        let m = parser.parse(bytes("Content-Type: multipart/mixed; boundary=b\n\n--b  \nContent-Type: text/plain\n\nfirst\n--b junk\n\nsecond\n--b--trailing\n"))
        XCTAssertEqual(m.root.children.count, 2)
        XCTAssertEqual(m.text, "first")
    }

    func testDepthAndPartLimitsAreDefects() {
        var nested = "Content-Type: text/plain\n\ndeep\n"
        for level in 0..<30 {
            nested = "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n\(nested)\n--b\(level)--\n"
        }
        let deep = parser.parse(bytes(nested))
        XCTAssertTrue(deep.defects.contains { $0.contains("deeper than") })

        var many = "Content-Type: multipart/mixed; boundary=b\n\n"
        for i in 0..<50 { many += "--b\nContent-Type: application/octet-stream\n\n\(i)\n" }
        many += "--b--\n"
        var limits = ParserLimits.default
        limits.maxParts = 10
        let capped = MessageParser(limits: limits).parse(bytes(many))
        XCTAssertLessThanOrEqual(capped.attachments.count, 10)
        XCTAssertTrue(capped.defects.contains { $0.contains("MIME parts") })
    }

    func testEmbeddedMessageAndDigest() {
        let m = parser.parse(bytes("""
        Subject: outer
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        see forwarded
        --b
        Content-Type: message/rfc822

        Subject: inner
        Content-Type: text/plain

        inner body
        --b--
        """))
        XCTAssertEqual(m.subject, "outer")
        XCTAssertEqual(m.text, "see forwarded")
        XCTAssertEqual(m.attachments.map(\.contentType), ["message/rfc822"])
        let embedded = m.root.children[1].children.first
        XCTAssertEqual(embedded?.headers["Subject"], "inner")

        let digest = parser.parse(bytes("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody one\n--d--\n"))
        XCTAssertEqual(digest.root.children.first?.contentType.mimeType, "message/rfc822")
        XCTAssertEqual(digest.root.children.first?.children.first?.headers["Subject"], "one")
    }

    func testFormatFlowed() {
        let m = parser.parse(bytes("Content-Type: text/plain; format=flowed; delsp=no\n\nThis is a \nflowed paragraph.\n>quoted \n>continues\n From stuffed\n-- \nsig\n"))
        XCTAssertEqual(m.text, "This is a flowed paragraph.\n> quoted continues\nFrom stuffed\n-- \nsig\n")
        let delsp = parser.parse(bytes("Content-Type: text/plain; format=flowed; delsp=yes\n\n日本 \n語\n"))
        XCTAssertEqual(delsp.text, "日本語\n")
    }

    func testUuencodeInTextBecomesAnAttachment() {
        let m = parser.parse(bytes("Subject: old\n\nHere it is:\nbegin 644 hello.txt\n#:&D*\n`\nend\nbye\n"))
        XCTAssertEqual(m.attachments.map(\.filename), ["hello.txt"])
        XCTAssertEqual(m.attachments.first?.size, 3)
        XCTAssertEqual(m.text, "Here it is:\nbye\n")
        var out: [UInt8] = []
        bytes("begin 644 hello.txt\n#:&D*\n`\nend\n").withUnsafeBufferPointer { _ = Uuencode.decodeBlock($0, into: &out) }
        XCTAssertEqual(out, bytes("hi\n"))
    }

    func testBase64SizeCountsWithoutDecodingIncludingDirtyLines() {
        let clean = bytes("SGVsbG8g\nV29ybGQ=\n")
        XCTAssertEqual(clean.withUnsafeBufferPointer { Base64.decodedSize($0) }, 11)
        let dirty = bytes("SGVs bG8g\r\nV29y*bGQ\n")
        XCTAssertEqual(dirty.withUnsafeBufferPointer { Base64.decodedSize($0) }, 11)
        XCTAssertEqual(TransferEncoding.base64.decode(dirty), bytes("Hello World"))
        let qp = bytes("caf=C3=A9=\nx\n")
        XCTAssertEqual(qp.withUnsafeBufferPointer { QuotedPrintable.decodedSize($0) }, 8)
    }

    func testOpaqueMessageWhenEncoded() {
        let m = parser.parse(bytes("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeAoKeQo=\n"))
        XCTAssertEqual(m.attachments.first?.size, 14)
        XCTAssertFalse(m.defects.isEmpty)
    }
}

final class AutomatedTests: XCTestCase {
    func detect(_ headers: String, contentType: ContentType? = nil) -> AutomatedReason.Kind? {
        AutomatedDetector.detect(headers: HeaderList.parse(bytes(headers + "\n\n")), contentType: contentType)?.kind
    }

    func testEachRule() {
        XCTAssertEqual(detect("From: a@x.com\nAuto-Submitted: auto-replied"), .autoSubmitted)
        XCTAssertNil(detect("From: a@x.com\nAuto-Submitted: no"))
        XCTAssertEqual(detect("From: a@x.com\nPrecedence: Bulk"), .precedence)
        XCTAssertNil(detect("From: a@x.com\nPrecedence: first-class"))
        XCTAssertEqual(detect("From: a@x.com\nList-Id: <list.example.com>"), .listHeader)
        XCTAssertEqual(detect("From: a@x.com\nList-Unsubscribe: <mailto:u@x>"), .listHeader)
        XCTAssertEqual(detect("From: a@x.com\nX-Autoreply: yes"), .autoreplyHeader)
        XCTAssertEqual(detect("From: a@x.com\nX-Autorespond: yes"), .autoreplyHeader)
        XCTAssertEqual(detect("From: a@x.com\nReturn-Path: <>"), .nullSender)
        XCTAssertEqual(detect("From: Mail Delivery System <MAILER-DAEMON@mx.example.com>"), .systemSender)
        XCTAssertEqual(detect("From: postmaster@example.com"), .systemSender)
        let report = ContentType(type: "multipart", subtype: "report", parameters: ["report-type": "delivery-status"])
        XCTAssertEqual(detect("From: a@x.com", contentType: report), .deliveryReport)
        XCTAssertNil(detect("From: Customer <c@example.com>\nSubject: order"))
    }

    func testFromWholeMessage() {
        let m = MessageParser().parse(bytes("From: MAILER-DAEMON@x.com\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\n\nfailed\n--r--\n"))
        XCTAssertEqual(m.automated?.kind, .systemSender)
        XCTAssertNotNil(m.automated?.description)
    }
}

final class InspectJSONTests: XCTestCase {
    func testFieldOrderEscapingAndNulls() {
        let m = MessageParser().parse(bytes("""
        Message-ID: <id1@example.com>
        In-Reply-To: <p@x>
        References: <r1@x> <p@x>
        Date: Mon, 1 Jan 2024 10:01:00 +0100
        Subject: =?utf-8?q?quote_=22_and_tab=09?=
        From: "Ann \\"A\\"" <ann@example.com>
        To: bob@example.org
        Reply-To: r@example.com

        line1\u{1}
        """))
        let line = m.inspectJSON(file: "dir/a \"b\".eml")
        XCTAssertEqual(line, #"{"file":"dir/a \"b\".eml","message_id":"id1@example.com","in_reply_to":["p@x"],"references":["r1@x","p@x"],"date":"2024-01-01T09:01:00Z","subject":"quote \" and tab\t","from":[{"name":"Ann \"A\"","address":"ann@example.com"}],"to":[{"name":null,"address":"bob@example.org"}],"cc":[],"reply_to":[{"name":null,"address":"r@example.com"}],"text":"line1\u0001","attachments":[],"automated":false,"defects":[]}"#)
    }

    func testEmptyInputStillGivesAnObject() {
        let line = MessageParser().parse([UInt8]()).inspectJSON(file: "empty.eml")
        XCTAssertTrue(line.hasPrefix(#"{"file":"empty.eml","message_id":null,"#))
        XCTAssertTrue(line.contains(#""defects":["empty message","no From header"]"#))
    }
}

final class TextChoiceTests: XCTestCase {
    func testBlankFirstPartDoesNotHideTheBody() {
        // Outlook Express reused the outer boundary for a nested multipart: the nested one comes out empty.
        let m = MessageParser().parse(bytes("""
        Content-Type: multipart/mixed; boundary="X"

        --X
        Content-Type: multipart/alternative; boundary="X"


        --X
        Content-Type: text/plain

        The real body.
        --X
        Content-Type: text/html

        <p>html</p>
        --X--
        """))
        XCTAssertEqual(m.text, "The real body.")
    }

    func testBlankPlainFallsBackToHTMLAndAllBlankGivesEmptyText() {
        let html = MessageParser().parse(bytes("Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n \n--b\nContent-Type: text/html\n\n<p>hi</p>\n--b--\n"))
        XCTAssertEqual(html.text, "hi")
        let blank = MessageParser().parse(bytes("Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n\n--b--\n"))
        XCTAssertEqual(blank.text, "")
    }

    func testBareForwardUsesTheEmbeddedMessagesText() {
        let m = MessageParser().parse(bytes("""
        Subject: Fwd: order
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: message/rfc822

        Subject: order
        Content-Type: multipart/alternative; boundary=c

        --c
        Content-Type: text/html

        <p>Please ship 3 units.</p>
        --c--
        --b--
        """))
        XCTAssertEqual(m.text, "Please ship 3 units.")
        XCTAssertEqual(m.attachments.map(\.contentType), ["message/rfc822"])
    }
}
