import XCTest
@testable import MIME

final class AddressTests: XCTestCase {
    func parse(_ s: String) -> [Mailbox] {
        var defects: [String] = []
        return AddressListParser.parse(bytes(s), converter: CharsetConverter(), limit: 100, defects: &defects)
    }

    func testDisplayNamesQuotedEncodedAndComments() {
        XCTAssertEqual(parse("\"Smith, John\" <john@example.com>, Jane <jane@example.com>"),
                       [Mailbox(name: "Smith, John", address: "john@example.com"), Mailbox(name: "Jane", address: "jane@example.com")])
        XCTAssertEqual(parse("=?utf-8?q?J=C3=B3zsef?= =?utf-8?q?_Kov=C3=A1cs?= <jk@example.hu>"),
                       [Mailbox(name: "József Kovács", address: "jk@example.hu")])
        XCTAssertEqual(parse("\"=?utf-8?B?0JjQstCw0L0=?=\" <ivan@example.ru>"), [Mailbox(name: "Иван", address: "ivan@example.ru")])
        XCTAssertEqual(parse("john@example.com (John Smith)"), [Mailbox(name: "John Smith", address: "john@example.com")])
        XCTAssertEqual(parse("\"a \\\"quoted\\\" name\" <q@example.com>"), [Mailbox(name: "a \"quoted\" name", address: "q@example.com")])
    }

    func testGroupsAndRoutes() {
        XCTAssertEqual(parse("Team: a@example.com, B <b@example.com>;, c@example.com"),
                       [Mailbox(address: "a@example.com"), Mailbox(name: "B", address: "b@example.com"), Mailbox(address: "c@example.com")])
        XCTAssertEqual(parse("undisclosed-recipients:;"), [])
        XCTAssertEqual(parse("<@relay.example,@other.example:user@example.com>"), [Mailbox(address: "user@example.com")])
    }

    func testBreakage() {
        XCTAssertEqual(parse("John Smith john@example.com"), [Mailbox(name: "John Smith", address: "john@example.com")])
        XCTAssertEqual(parse("Name <open@example.com"), [Mailbox(name: "Name", address: "open@example.com")])
        XCTAssertEqual(parse(",, a@example.com ,"), [Mailbox(address: "a@example.com")])
        XCTAssertEqual(parse("MAILER-DAEMON"), [Mailbox(address: "MAILER-DAEMON")])
        XCTAssertEqual(parse("<>"), [])
        XCTAssertEqual(parse("\"weird\"@example.com"), [Mailbox(address: "\"weird\"@example.com")])
        XCTAssertEqual(parse("<\"john\"@example.com>"), [Mailbox(address: "john@example.com")])
    }

    func testEightBitDisplayName() {
        var defects: [String] = []
        let list = AddressListParser.parse([0x4A, 0xF3, 0x20] + bytes("<j@example.com>"), converter: CharsetConverter(), limit: 10, defects: &defects)
        XCTAssertEqual(list, [Mailbox(name: "Jó", address: "j@example.com")])
    }

    func testLimit() {
        var defects: [String] = []
        let list = AddressListParser.parse(bytes("a@x.com, b@x.com, c@x.com"), converter: CharsetConverter(), limit: 2, defects: &defects)
        XCTAssertEqual(list.count, 2)
        XCTAssertEqual(defects.count, 1)
    }

    func testNormalisation() {
        XCTAssertEqual(EmailAddress("  John.Smith+crm@Example.COM ")?.description, "john.smith+crm@example.com")
        XCTAssertEqual(EmailAddress("John+crm@example.com", stripPlusTag: true)?.description, "john@example.com")
        XCTAssertEqual(EmailAddress("info@xn--bcher-kva.example")?.domain, "bücher.example")
        XCTAssertEqual(EmailAddress("a@xn--mnchen-3ya.de")?.domain, "münchen.de")
        XCTAssertNil(EmailAddress("no-at-sign"))
        XCTAssertNil(EmailAddress("a b@example.com"))
        XCTAssertEqual(EmailAddress("+only@example.com", stripPlusTag: true)?.localPart, "+only")
    }
}

final class DateAndIDTests: XCTestCase {
    func iso(_ s: String) -> String? { DateParser.parse(s).map(DateParser.rfc3339) }

    func testRFC5322AndVariants() {
        XCTAssertEqual(iso("Mon, 1 Jan 2024 10:01:00 +0100"), "2024-01-01T09:01:00Z")
        XCTAssertEqual(iso("1 Jan 2024 10:01 -0500"), "2024-01-01T15:01:00Z")  // no weekday, no seconds
        XCTAssertEqual(iso("Wed, 11 Feb 98 11:51 CST"), "1998-02-11T17:51:00Z")  // two-digit year, named zone
        XCTAssertEqual(iso("Thu, 13 Feb 03 23:32:00 GMT"), "2003-02-13T23:32:00Z")
        XCTAssertEqual(iso("Fri, 21 Nov 1997 09:55:06 -0600 (MDT)"), "1997-11-21T15:55:06Z")
        XCTAssertEqual(iso("Tue, 29 Feb 2000 12:00:00 GMT+0200"), "2000-02-29T10:00:00Z")
        XCTAssertEqual(iso("21-Nov-1997 09:55:06 +0000"), "1997-11-21T09:55:06Z")
        XCTAssertEqual(iso("Sun, 25 May 2008 15:38:13 +0100"), "2008-05-25T14:38:13Z")
        XCTAssertEqual(iso("2024-03-04T05:06:07Z"), "2024-03-04T05:06:07Z")
        XCTAssertEqual(iso("2024-03-04 05:06:07 +0200"), "2024-03-04T03:06:07Z")
        XCTAssertEqual(iso("Mon, 1 Jan 2024 10:01:00 A"), "2024-01-01T10:01:00Z")  // military zone = -0000
        XCTAssertEqual(iso("Mon, 1 Jan 2024 10:01:00"), "2024-01-01T10:01:00Z")
        XCTAssertEqual(iso("Mon, 1 Jan 1950 00:00:00 +0000"), "1950-01-01T00:00:00Z")
    }

    func testRejectsNonsense() {
        XCTAssertNil(DateParser.parse("Malformed Date."))
        XCTAssertNil(DateParser.parse("31 Feb 2024 10:00:00 +0000"))
        XCTAssertNil(DateParser.parse("1 Jan 2024 25:00:00 +0000"))
        XCTAssertNil(DateParser.parse(""))
    }

    func testRFC5322Output() {
        XCTAssertEqual(DateParser.rfc5322(Date(timeIntervalSince1970: 1_704_099_660)), "Mon, 01 Jan 2024 09:01:00 +0000")
        XCTAssertEqual(DateParser.rfc5322(Date(timeIntervalSince1970: 951_825_599)), "Tue, 29 Feb 2000 11:59:59 +0000")
        // Before 1970 the second of the day and the weekday still count forwards from midnight.
        XCTAssertEqual(DateParser.rfc5322(Date(timeIntervalSince1970: -1)), "Wed, 31 Dec 1969 23:59:59 +0000")
        XCTAssertEqual(DateParser.rfc3339(Date(timeIntervalSince1970: -0.5)), "1969-12-31T23:59:59Z")
    }

    func testMessageIDs() {
        XCTAssertEqual(MessageIDParser.parseSingle(bytes(" <abc@example.com> ")), "abc@example.com")
        XCTAssertEqual(MessageIDParser.parseList(bytes("<a@x> (comment) <b@y>\n <c\n @z>")), ["a@x", "b@y", "c@z"])
        XCTAssertEqual(MessageIDParser.parseList(bytes("bare@example.com, \"phrase\" <d@e>")), ["bare@example.com", "d@e"])
        XCTAssertEqual(MessageIDParser.parseList(bytes("no id here")), [])
    }
}
