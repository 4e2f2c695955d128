import XCTest
@testable import IMAP

final class ResponseParserTests: XCTestCase {
    // MARK: RFC 3501 / 9051 examples

    func testGreetingCapabilityAndTaggedStatus() throws {
        let responses = try parseAll(wire(
            "* OK IMAP4rev1 Service Ready",
            "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED",
            "a001 OK CAPABILITY completed",
            "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] Dovecot ready."
        ))
        XCTAssertEqual(responses, [
            .untagged(.status(UntaggedStatus(condition: .ok, code: nil, text: "IMAP4rev1 Service Ready"))),
            .untagged(.capability(["IMAP4REV1", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"])),
            .tagged(TaggedStatus(tag: "a001", condition: .ok, code: nil, text: "CAPABILITY completed")),
            .untagged(.status(UntaggedStatus(condition: .ok, code: .capability(["IMAP4REV1", "LITERAL+", "SASL-IR"]), text: "Dovecot ready."))),
        ])
    }

    func testSelectResponsesFromRFC3501() throws {
        let responses = try parseAll(wire(
            "* 172 EXISTS",
            "* 1 RECENT",
            "* OK [UNSEEN 12] Message 12 is first unseen",
            "* OK [UIDVALIDITY 3857529045] UIDs valid",
            "* OK [UIDNEXT 4392] Predicted next UID",
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
            "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
            "* OK [HIGHESTMODSEQ 715194045007] Highest",
            "A142 OK [READ-ONLY] EXAMINE completed",
            "A143 NO [TRYCREATE] no such mailbox",
            "A144 BAD [PARSE]",
            "* OK [X-UNKNOWN-CODE some (args)] text"
        ))
        XCTAssertEqual(responses, [
            .untagged(.exists(172)),
            .untagged(.recent(1)),
            .untagged(.status(UntaggedStatus(condition: .ok, code: .unseen(12), text: "Message 12 is first unseen"))),
            .untagged(.status(UntaggedStatus(condition: .ok, code: .uidValidity(UIDValidity(3_857_529_045)), text: "UIDs valid"))),
            .untagged(.status(UntaggedStatus(condition: .ok, code: .uidNext(UID(4392)), text: "Predicted next UID"))),
            .untagged(.flags([.answered, .flagged, .deleted, .seen, .draft])),
            .untagged(.status(UntaggedStatus(condition: .ok, code: .permanentFlags([.deleted, .seen, Flag("\\*")]), text: "Limited"))),
            .untagged(.status(UntaggedStatus(condition: .ok, code: .highestModSeq(ModSequence(715_194_045_007)), text: "Highest"))),
            .tagged(TaggedStatus(tag: "A142", condition: .ok, code: .readOnly, text: "EXAMINE completed")),
            .tagged(TaggedStatus(tag: "A143", condition: .no, code: .tryCreate, text: "no such mailbox")),
            .tagged(TaggedStatus(tag: "A144", condition: .bad, code: .parse, text: "")),
            .untagged(.status(UntaggedStatus(condition: .ok, code: .other(name: "X-UNKNOWN-CODE", arguments: "some (args)"), text: "text"))),
        ])
    }

    func testListStatusSearchExpungeBye() throws {
        let responses = try parseAll(wire(
            "* LIST (\\Noselect) \"/\" \"\"",
            "* LIST (\\HasNoChildren \\Sent) \".\" \"INBOX.Sent Items\"",
            "* LIST () NIL inbox",
            "* LIST (\\HasNoChildren) \"/\" \"&AMk-l&AOk-ments envoy&AOk-s\"",
            "* LIST (\\Marked) \"/\" {5}",
            "Sent!",
            "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
            "* SEARCH 2 84 882",
            "* SEARCH",
            "* SEARCH 2 5 6 (MODSEQ 917162500)",
            "* 3 EXPUNGE",
            "* ENABLED CONDSTORE",
            "* BYE IMAP4rev1 Server logging out",
            "+ Ready for additional command text",
            "+"
        ))
        XCTAssertEqual(responses.count, 14)
        XCTAssertEqual(responses[0], .untagged(.list(ListEntry(attributes: ["\\Noselect"], delimiter: UInt8(ascii: "/"), mailbox: MailboxName(wire: [])))))
        XCTAssertEqual(responses[1], .untagged(.list(ListEntry(attributes: ["\\HasNoChildren", "\\Sent"], delimiter: UInt8(ascii: "."), mailbox: MailboxName("INBOX.Sent Items")))))
        XCTAssertEqual(responses[2], .untagged(.list(ListEntry(attributes: [], delimiter: nil, mailbox: .inbox))))
        guard case .untagged(.list(let accented)) = responses[3] else { return XCTFail("\(responses[3])") }
        XCTAssertEqual(accented.mailbox.displayName, "Éléments envoyés")
        guard case .untagged(.list(let literalName)) = responses[4] else { return XCTFail("\(responses[4])") }
        XCTAssertEqual(literalName.mailbox.wire, bytes("Sent!"))
        XCTAssertEqual(responses[5], .untagged(.mailboxStatus(mailbox: MailboxName("blurdybloop"), attributes: ["MESSAGES": 231, "UIDNEXT": 44292])))
        XCTAssertEqual(responses[6], .untagged(.search(uids: [2, 84, 882], highestModSeq: nil)))
        XCTAssertEqual(responses[7], .untagged(.search(uids: [], highestModSeq: nil)))
        XCTAssertEqual(responses[8], .untagged(.search(uids: [2, 5, 6], highestModSeq: ModSequence(917_162_500))))
        XCTAssertEqual(responses[9], .untagged(.expunge(3)))
        XCTAssertEqual(responses[10], .untagged(.enabled(["CONDSTORE"])))
        XCTAssertEqual(responses[11], .untagged(.status(UntaggedStatus(condition: .bye, code: nil, text: "IMAP4rev1 Server logging out"))))
        XCTAssertEqual(responses[12], .continuation(text: "Ready for additional command text"))
        XCTAssertEqual(responses[13], .continuation(text: ""))
    }

    func testFetchFromRFC3501WithEnvelopeAndBody() throws {
        let line = "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
            + "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
            + "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
            + "\"<B27397-0100000@cac.washington.edu>\") "
            + "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))"
        let responses = try parseAll(wire(line, "* 23 FETCH (FLAGS (\\Seen) UID 4827313)", "* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))"))
        guard case .untagged(.fetch(let fetch)) = responses[0] else { return XCTFail("\(responses)") }
        XCTAssertEqual(fetch.sequenceNumber, 12)
        XCTAssertEqual(fetch.flags, [.seen])
        XCTAssertEqual(fetch.rfc822Size, 4286)
        // 1996-07-17T09:44:25Z
        XCTAssertEqual(fetch.internalDate, InternalDate(secondsSince1970: 837_596_665, utcOffsetMinutes: -420))
        guard case .untagged(.fetch(let second)) = responses[1], case .untagged(.fetch(let third)) = responses[2] else {
            return XCTFail("\(responses)")
        }
        XCTAssertEqual(second.uid, UID(4_827_313))
        XCTAssertEqual(third.uid, UID(4))
        XCTAssertEqual(third.modSeq, ModSequence(65402))
    }

    func testBodyStructureMultipartFromRFC3501() throws {
        let line = "* 1 FETCH (UID 7 BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)"
            + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" "
            + "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))"
        let responses = try parseAll(wire(line))
        guard case .untagged(.fetch(let fetch)) = responses[0], case .multipart(let multipart)? = fetch.bodyStructure else {
            return XCTFail("\(responses)")
        }
        XCTAssertEqual(multipart.subtype, "mixed")
        XCTAssertEqual(multipart.parts.count, 2)
        guard case .singlePart(let diff) = multipart.parts[1] else { return XCTFail() }
        XCTAssertEqual(diff.mediaType, "text")
        XCTAssertEqual(diff.parameters, [BodyParameter(name: "charset", value: "US-ASCII"), BodyParameter(name: "name", value: "cc.diff")])
        XCTAssertEqual(diff.id, "<960723163407.20117h@cac.washington.edu>")
        XCTAssertEqual(diff.description, "Compiler diff")
        XCTAssertEqual(diff.encoding, "base64")
        XCTAssertEqual(diff.size, 4554)
        XCTAssertEqual(diff.lines, 73)
        XCTAssertEqual(diff.filename, "cc.diff")
        XCTAssertEqual(fetch.bodyStructure?.firstTextPart()?.path, [1])
    }

    func testBodyStructureWithExtensionsAndAttachedMessage() throws {
        // The shape Dovecot sends: alternative inside mixed, an attachment with disposition,
        // language and location, and a forwarded message/rfc822 with its own structure.
        let structure = "((\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 900 20 NIL NIL NIL NIL)"
            + "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 400 10 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"b2\") NIL NIL NIL)"
            + "(\"application\" \"pdf\" (\"name\" \"x.pdf\") NIL NIL \"base64\" 26214400 NIL (\"attachment\" (\"filename\" \"Rechnung März.pdf\" \"size\" \"19000000\")) (\"de\" \"en\") \"http://example.com/x\")"
            + "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (\"date\" \"subject\" ((\"A\" NIL \"a\" \"example.com\")) NIL NIL NIL NIL NIL NIL \"<id@x>\") "
            + "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 20 1 NIL NIL NIL NIL) 12 NIL (\"inline\" NIL) NIL NIL) "
            + "\"mixed\" (\"boundary\" \"b1\") NIL \"fr\" NIL"
        let responses = try parseAll(wire("* 3 FETCH (UID 9 BODYSTRUCTURE (\(structure)))"))
        guard case .untagged(.fetch(let fetch)) = responses[0], let body = fetch.bodyStructure,
              case .multipart(let mixed) = body else { return XCTFail("\(responses)") }
        XCTAssertEqual(mixed.parameters, [BodyParameter(name: "boundary", value: "b1")])
        XCTAssertEqual(mixed.language, ["fr"])
        let pdf = try XCTUnwrap(body.part(at: [2]))
        XCTAssertEqual(pdf.size, 26_214_400)
        XCTAssertEqual(pdf.disposition?.kind, "attachment")
        XCTAssertEqual(pdf.disposition?.filename, "Rechnung März.pdf")
        XCTAssertEqual(pdf.language, ["de", "en"])
        XCTAssertEqual(pdf.location, "http://example.com/x")
        XCTAssertTrue(pdf.isAttachment)
        let forwarded = try XCTUnwrap(body.part(at: [3]))
        XCTAssertEqual(forwarded.lines, 12)
        XCTAssertEqual(forwarded.disposition?.kind, "inline")
        XCTAssertEqual(body.part(at: [3, 1])?.size, 20)
        XCTAssertEqual(body.part(at: [1, 2])?.subtype, "plain")
        let first = try XCTUnwrap(body.firstTextPart())
        XCTAssertEqual(first.path, [1, 2])
        XCTAssertEqual(first.part.charset, "utf-8")
    }

    func testSinglePartBodyIsSectionOne() throws {
        let responses = try parseAll(wire("* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"HTML\" NIL NIL NIL \"8BIT\" 10 1))"))
        guard case .untagged(.fetch(let fetch)) = responses[0] else { return XCTFail() }
        XCTAssertEqual(fetch.bodyStructure?.firstTextPart()?.path, [1])
        XCTAssertEqual(fetch.bodyStructure?.part(at: [1])?.subtype, "html")
    }

    func testBodySectionsWithLiteralsAndOrigins() throws {
        let header = bytes("Subject: hi\r\nFrom: a@b\r\n\r\n")
        let text = bytes("Hello\r\nA0004 OK done\r\n* 99 FETCH (FLAGS (\\Deleted))\r\n")
        var stream = bytes("* 1 FETCH (UID 5 BODY[HEADER] ") + literal(header) + bytes(" BODY[1]<0> ") + literal(text)
        stream += bytes(" BODY[1.2] NIL BODY[HEADER.FIELDS (FROM to)] \"x\" BINARY[2]<10> ~{3}\r\nab\0 RFC822.SIZE 44)\r\n")
        stream += wire("A0004 OK Fetch completed")
        let responses = try parseAll(stream)
        XCTAssertEqual(responses.count, 2)
        guard case .untagged(.fetch(let fetch)) = responses[0] else { return XCTFail("\(responses)") }
        XCTAssertEqual(fetch.uid, UID(5))
        XCTAssertEqual(fetch.section(.header)?.bytes, header)
        XCTAssertEqual(fetch.section(BodySection(part: [1])), FetchedSection(section: BodySection(part: [1]), origin: 0, bytes: text))
        XCTAssertEqual(fetch.section(BodySection(part: [1, 2]))?.bytes, nil)
        XCTAssertNotNil(fetch.section(BodySection(part: [1, 2])))
        XCTAssertEqual(fetch.section(BodySection(text: "HEADER.FIELDS (FROM TO)"))?.bytes, bytes("x"))
        XCTAssertEqual(fetch.section(BodySection(part: [2], text: "BINARY"))?.bytes, [UInt8(ascii: "a"), UInt8(ascii: "b"), 0])
        XCTAssertEqual(fetch.rfc822Size, 44)
        XCTAssertEqual(responses[1], .tagged(TaggedStatus(tag: "A0004", condition: .ok, code: nil, text: "Fetch completed")))
    }

    func testQuotedEscapesNonSyncLiteralAndUnknownItems() throws {
        let responses = try parseAll(wire(
            "* 2 FETCH (X-GM-LABELS (\"a\\\\b\" \"q\\\"x\") BODY[TEXT] {3+}",
            "abc UID 8 ENVELOPE NIL)"
        ))
        guard case .untagged(.fetch(let fetch)) = responses[0] else { return XCTFail("\(responses)") }
        XCTAssertEqual(fetch.uid, UID(8))
        XCTAssertEqual(fetch.section(BodySection(text: "TEXT"))?.bytes, bytes("abc"))
        var cursorInput = IMAPResponseParser()
        cursorInput.append(wire("* LIST () \"/\" \"a\\\\b\\\"c\""))
        guard case .untagged(.list(let entry))? = try cursorInput.next() else { return XCTFail() }
        XCTAssertEqual(entry.mailbox.wire, bytes("a\\b\"c"))
    }

    func testBareLineFeedIsAccepted() throws {
        XCTAssertEqual(try parseAll(bytes("* 4 EXISTS\nA1 OK x\n")), [
            .untagged(.exists(4)),
            .tagged(TaggedStatus(tag: "A1", condition: .ok, code: nil, text: "x")),
        ])
    }

    // MARK: Errors and limits

    func testMalformedResponsesThrowAndParserContinues() throws {
        var parser = IMAPResponseParser()
        parser.append(wire("* 1 FETCH (UID x)", "A1 MAYBE", "* 2 EXISTS"))
        XCTAssertThrowsError(try parser.next()) { error in
            guard let parseError = error as? IMAPParseError, case .malformed = parseError.kind else { return XCTFail("\(error)") }
            XCTAssertFalse(parseError.description.contains("UID x"))
        }
        XCTAssertThrowsError(try parser.next())
        XCTAssertEqual(try parser.next(), .untagged(.exists(2)))
    }

    func testLineLengthLimit() {
        let limits = IMAPParserLimits(maxLineLength: 100)
        let long = bytes("* OK " + String(repeating: "x", count: 200))
        XCTAssertThrowsError(try parseAll(long, chunking: .random(seed: 1, maxChunk: 7), limits: limits)) { error in
            XCTAssertEqual((error as? IMAPParseError)?.kind, .lineTooLong(limit: 100))
        }
        // Literal bytes do not count towards the line limit.
        let body = [UInt8](repeating: UInt8(ascii: "y"), count: 1000)
        XCTAssertNoThrow(try parseAll(bytes("* 1 FETCH (BODY[] ") + literal(body) + bytes(")\r\n"), limits: limits))
    }

    func testLiteralSizeLimitIsCheckedBeforeReading() {
        let limits = IMAPParserLimits(maxLiteralSize: 1000)
        XCTAssertThrowsError(try parseAll(bytes("* 1 FETCH (BODY[] {1001}\r\n"), limits: limits)) { error in
            XCTAssertEqual((error as? IMAPParseError)?.kind, .literalTooLarge(size: 1001, limit: 1000))
        }
        XCTAssertThrowsError(try parseAll(bytes("* 1 FETCH (BODY[] {99999999999999999999999}\r\n")))
    }

    func testNestingLimit() {
        let limits = IMAPParserLimits(maxNestingDepth: 10)
        let deep = String(repeating: "(", count: 20) + String(repeating: ")", count: 20)
        XCTAssertThrowsError(try parseAll(wire("* 1 FETCH (X-THING \(deep))"), limits: limits)) { error in
            XCTAssertEqual((error as? IMAPParseError)?.kind, .nestingTooDeep(limit: 10))
        }
        XCTAssertNoThrow(try parseAll(wire("* 1 FETCH (X-THING ((())))"), limits: limits))
    }

    func testListElementLimit() {
        let limits = IMAPParserLimits(maxListElements: 5)
        XCTAssertThrowsError(try parseAll(wire("* SEARCH 1 2 3 4 5 6"), limits: limits)) { error in
            XCTAssertEqual((error as? IMAPParseError)?.kind, .tooManyElements(limit: 5))
        }
        XCTAssertThrowsError(try parseAll(wire("* FLAGS (a b c d e f)"), limits: limits))
        XCTAssertNoThrow(try parseAll(wire("* SEARCH 1 2 3 4 5"), limits: limits))
    }

    func testNumberOverflowIsAnError() {
        XCTAssertThrowsError(try parseAll(wire("* 1 FETCH (UID 4294967296)"))) { error in
            XCTAssertEqual((error as? IMAPParseError)?.kind, .numberOutOfRange)
        }
    }
}
