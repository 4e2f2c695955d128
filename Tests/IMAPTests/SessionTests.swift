import XCTest
@testable import IMAP

final class SessionTests: XCTestCase {
    private func session(_ server: FakeIMAPServer, _ options: IMAPSessionOptions = IMAPSessionOptions()) -> IMAPSession {
        IMAPSession(transport: server, options: options)
    }

    func testCapabilityListAndSentFolder() throws {
        let server = FakeIMAPServer()
        server.listLines = [
            "* LIST (\\HasChildren) \".\" INBOX",
            "* LIST (\\HasNoChildren \\Sent) \".\" \"INBOX.Gesendete Elemente\"",
            "* LIST (\\HasNoChildren) \".\" \"INBOX.Sent\"",
        ]
        let imap = session(server)
        XCTAssertTrue(try imap.capability().contains("CONDSTORE"))
        XCTAssertEqual(try imap.list().count, 3)
        XCTAssertEqual(try imap.findSentFolder()?.displayName, "INBOX.Gesendete Elemente")
        XCTAssertTrue(server.commandLines.contains("A0003 LIST \"\" \"*\" RETURN (SPECIAL-USE)"), "\(server.commandLines)")
    }

    func testSentFolderByNameWithoutSpecialUse() {
        func entry(_ name: String, _ attributes: [String] = []) -> ListEntry {
            ListEntry(attributes: attributes, delimiter: UInt8(ascii: "/"), mailbox: MailboxName(name))
        }
        XCTAssertEqual(SentFolderFinder.find(in: [entry("INBOX"), entry("Archiv/Gesendet"), entry("Sent", ["\\Noselect"])])?.displayName,
                       "Archiv/Gesendet")
        XCTAssertEqual(SentFolderFinder.find(in: [entry("Отправленные"), entry("Drafts")])?.displayName, "Отправленные")
        XCTAssertEqual(SentFolderFinder.find(in: [entry("INBOX"), entry("Posta inviata"), entry("Sent Items")])?.displayName, "Sent Items")
        XCTAssertNil(SentFolderFinder.find(in: [entry("INBOX"), entry("Drafts")]))
    }

    func testExamineReportsUIDsAndModSeq() throws {
        let server = FakeIMAPServer()
        server.messages = (1...3).map { FakeIMAPServer.textMessage(uid: $0 * 2, subject: "s\($0)", body: bytes("hi")) }
        let imap = session(server)
        let result = try imap.examine(.inbox)
        XCTAssertEqual(result, ExamineResult(mailbox: .inbox, uidValidity: UIDValidity(1000), uidNext: UID(7), exists: 3,
                                             highestModSeq: ModSequence(77), readOnly: true))
        XCTAssertEqual(try imap.uidSearch(UID(1)...UID(5)), [UID(2), UID(4)])
        XCTAssertEqual(try imap.uidSearch(from: UID(5)), [UID(6)])
        XCTAssertEqual(try imap.uidSearch(from: UID(7)), [])
        XCTAssertTrue(server.commandLines.contains { $0.hasSuffix("EXAMINE INBOX (CONDSTORE)") })
    }

    func testExamineFailureCarriesMailboxContext() throws {
        let server = FakeIMAPServer()
        server.override["EXAMINE"] = { bytes("\($0) NO [NONEXISTENT] Mailbox doesn't exist\r\n") }
        let imap = session(server)
        XCTAssertThrowsError(try imap.examine(MailboxName("Gesendet"))) { error in
            let imapError = error as! IMAPError
            XCTAssertEqual(imapError.mailbox, MailboxName("Gesendet"))
            guard case .commandFailed(.no, _, _) = imapError.kind else { return XCTFail("\(imapError)") }
            XCTAssertTrue(imapError.description.contains("Gesendet"))
        }
        XCTAssertFalse(imap.isBroken, "a NO leaves the session usable")
    }

    func testFetchBatchTakesHeadersStructureAndPartialFirstTextPart() throws {
        try fetchBatchScenario(speculative: true)
    }

    func testFetchBatchWithoutSpeculationGroupsTextPartsBySection() throws {
        try fetchBatchScenario(speculative: false)
    }

    private func fetchBatchScenario(speculative: Bool) throws {
        let server = FakeIMAPServer(seed: 7, maxChunk: 13)
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 50_000)
        var multipart = FakeIMAPServer.Message(
            uid: 3, header: bytes("Subject: mixed\r\n\r\n"),
            structure: "(((\"text\" \"plain\" (\"charset\" \"iso-8859-1\") NIL NIL \"quoted-printable\" 5 1 NIL NIL NIL NIL)"
                + "(\"text\" \"html\" NIL NIL NIL \"7bit\" 9 1 NIL NIL NIL NIL) \"alternative\")"
                + "(\"application\" \"zip\" NIL NIL NIL \"base64\" 26000000 NIL (\"attachment\" (\"filename\" \"big.zip\")) NIL NIL) \"mixed\")",
            sections: ["1.1": bytes("plain"), "1.2": bytes("<b>x</b>"), "2": [UInt8](repeating: 0x41, count: 1000)]
        )
        multipart.flags = []
        server.messages = [
            FakeIMAPServer.textMessage(uid: 1, subject: "one", body: bytes("Hello\r\nA0004 OK done\r\n* 99 FETCH (FLAGS (\\Deleted))\r\n")),
            FakeIMAPServer.textMessage(uid: 2, subject: "long", body: long),
            multipart,
            FakeIMAPServer.textMessage(uid: 4, subject: "empty", body: []),
        ]
        let imap = session(server, IMAPSessionOptions(textPartLimit: 16_384, speculativeFirstPart: speculative))
        _ = try imap.examine(.inbox)
        let messages = try imap.fetchBatch(uids: UID(1)...UID(10))
        XCTAssertEqual(messages.map(\.uid), [UID(1), UID(2), UID(3), UID(4)])

        XCTAssertEqual(messages[0].headerBytes, bytes("Subject: one\r\nFrom: a@example.com\r\n\r\n"))
        XCTAssertEqual(messages[0].firstTextPart?.bytes, bytes("Hello\r\nA0004 OK done\r\n* 99 FETCH (FLAGS (\\Deleted))\r\n"))
        XCTAssertEqual(messages[0].firstTextPart?.truncated, false)

        XCTAssertEqual(messages[1].firstTextPart?.bytes.count, 16_384)
        XCTAssertEqual(messages[1].firstTextPart?.truncated, true)

        let mixed = try XCTUnwrap(messages[2].firstTextPart)
        XCTAssertEqual(mixed.section, [1, 1])
        XCTAssertEqual(mixed.bytes, bytes("plain"))
        XCTAssertEqual(mixed.charset, "iso-8859-1")
        XCTAssertEqual(mixed.transferEncoding, "quoted-printable")
        XCTAssertEqual(messages[2].bodyStructure?.part(at: [2])?.filename, "big.zip")

        XCTAssertEqual(messages[3].firstTextPart?.bytes, [])
        XCTAssertEqual(messages[1].internalDate?.utcOffsetMinutes, 60)

        // Two round trips at most: headers (with section 1 when speculating), then one
        // pipelined command per distinct text section still missing.
        let fetches = server.commandLines.filter { $0.contains("UID FETCH") }
        if speculative {
            XCTAssertEqual(fetches, [
                "A0003 UID FETCH 1:10 (UID RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER] BODY.PEEK[1]<0.16384>)",
                "A0004 UID FETCH 3 (UID BODY.PEEK[1.1]<0.16384>)",
            ])
        } else {
            XCTAssertEqual(fetches, [
                "A0003 UID FETCH 1:10 (UID RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER])",
                "A0004 UID FETCH 1:2 (UID BODY.PEEK[1]<0.16384>)",
                "A0005 UID FETCH 3 (UID BODY.PEEK[1.1]<0.16384>)",
            ])
        }
        let verbs = server.commandLines.map { $0.split(separator: " ").dropFirst().prefix(2).joined(separator: " ") }
        XCTAssertFalse(verbs.contains { $0.hasPrefix("SELECT") || $0.hasPrefix("STORE") || $0.hasPrefix("UID STORE") }, "\(verbs)")
        XCTAssertFalse(server.commandLines.contains { $0.contains("BODY[") }, "\(server.commandLines)")
        XCTAssertTrue(server.messages.allSatisfy { $0.flags.isEmpty })

        // The session is still in step after the hostile body: the next command works.
        XCTAssertEqual(try imap.fetchFlags(uids: UID(1)...UID(4)).count, 4)
        XCTAssertEqual(try imap.noop(), [])
    }

    func testSameMessagesWhateverTheChunking() throws {
        var results: [[FetchedMessage]] = []
        for (seed, chunk) in [(UInt64(1), 1), (2, 3), (3, 64), (4, 100_000)] {
            let server = FakeIMAPServer(seed: seed, maxChunk: chunk)
            server.messages = (1...30).map { FakeIMAPServer.textMessage(uid: $0, subject: "m\($0)", body: bytes(String(repeating: "b\($0) ", count: Int($0)))) }
            let imap = session(server)
            _ = try imap.examine(.inbox)
            results.append(try imap.fetchBatch(uids: UID(1)...UID(30)))
        }
        XCTAssertEqual(results[0].count, 30)
        for result in results.dropFirst() { XCTAssertEqual(result, results[0]) }
    }

    /// The worker frees the session's buffers between polls; the next commands must not notice.
    func testReleasingIdleMemoryBetweenCommandsKeepsTheSessionWorking() throws {
        let server = FakeIMAPServer(seed: 5, maxChunk: 700)
        server.messages = (1...30).map { FakeIMAPServer.textMessage(uid: $0, subject: "m\($0)", body: bytes(String(repeating: "b\($0) ", count: Int($0)))) }
        let imap = session(server)
        imap.releaseIdleMemory()
        _ = try imap.examine(.inbox)
        let first = try imap.fetchBatch(uids: UID(1)...UID(15))
        imap.releaseIdleMemory()
        let second = try imap.fetchBatch(uids: UID(16)...UID(30))
        imap.releaseIdleMemory()
        imap.releaseIdleMemory()
        let again = try imap.fetchBatch(uids: UID(1)...UID(30))
        XCTAssertEqual(first.count, 15)
        XCTAssertEqual(first + second, again)
        XCTAssertFalse(imap.isBroken)
    }

    func testFetchBatchesPipelinesTheNextHeaderFetch() throws {
        let server = FakeIMAPServer(seed: 11, maxChunk: 700)
        let nested = "((\"text\" \"plain\" NIL NIL NIL \"7bit\" 4 1 NIL NIL NIL NIL)(\"text\" \"html\" NIL NIL NIL \"7bit\" 4 1 NIL NIL NIL NIL) \"alternative\")"
        server.messages = (UInt32(1)...9).map { uid in
            var message = FakeIMAPServer.textMessage(uid: uid, subject: "m\(uid)", body: bytes("body \(uid)"))
            if uid % 3 == 0 {
                message.structure = "(\(nested)(\"image\" \"png\" NIL NIL NIL \"base64\" 8 NIL NIL NIL NIL) \"mixed\")"
                message.sections = ["1.1": bytes("p\(uid)!!"), "1.2": bytes("<p>h</p>"), "2": bytes("AAAAAAAA")]
            }
            return message
        }
        let imap = session(server)
        _ = try imap.examine(.inbox)
        var batches: [[FetchedMessage]] = []
        try imap.fetchBatches([UID(1)...UID(3), UID(4)...UID(6), UID(7)...UID(10)]) { (messages: [FetchedMessage]) throws(IMAPError) in
            batches.append(messages)
        }
        XCTAssertEqual(batches.map { $0.map(\.uid.rawValue) }, [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        XCTAssertEqual(batches[0][2].firstTextPart?.bytes, bytes("p3!!"))
        XCTAssertEqual(batches[2][0].firstTextPart?.bytes, bytes("body 7"))
        let fetches = server.commandLines.filter { $0.contains("UID FETCH") }.map { $0.split(separator: " ")[3] }
        // Header fetch of the next batch goes out before the current batch's text fetch.
        XCTAssertEqual(fetches, ["1:3", "4:6", "3", "7:10", "6", "9"])

        // Same result one batch at a time.
        let single = FakeIMAPServer(seed: 12, maxChunk: 50)
        single.messages = server.messages
        let other = session(single)
        _ = try other.examine(.inbox)
        XCTAssertEqual(try other.fetchBatch(uids: UID(4)...UID(6)), batches[1])
    }

    func testConsumerErrorLeavesSessionInStep() throws {
        let server = FakeIMAPServer()
        server.messages = (1...4).map { FakeIMAPServer.textMessage(uid: $0, subject: "m", body: bytes("b")) }
        let imap = session(server)
        _ = try imap.examine(.inbox)
        let stop = IMAPError(.invalidArgument("consumer gave up"))
        XCTAssertThrowsError(try imap.fetchBatches([UID(1)...UID(2), UID(3)...UID(4)]) { (_: [FetchedMessage]) throws(IMAPError) in
            throw stop
        }) { error in
            XCTAssertEqual((error as? IMAPError)?.kind, stop.kind)
        }
        XCTAssertFalse(imap.isBroken)
        XCTAssertEqual(try imap.noop(), [])
        XCTAssertEqual(try imap.fetchBatch(uids: UID(3)...UID(4)).count, 2)
    }

    func testBatchesMustBeAscendingAndDisjoint() throws {
        let server = FakeIMAPServer()
        let imap = session(server)
        _ = try imap.examine(.inbox)
        XCTAssertThrowsError(try imap.fetchBatches([UID(5)...UID(9), UID(1)...UID(5)]) { (_: [FetchedMessage]) throws(IMAPError) in })
    }

    func testForeignTagBreaksTheSession() throws {
        let server = FakeIMAPServer()
        server.override["NOOP"] = { _ in bytes("A9999 OK not yours\r\n") }
        let imap = session(server)
        XCTAssertThrowsError(try imap.noop()) { error in
            guard case .protocolViolation = (error as! IMAPError).kind else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(imap.isBroken)
        XCTAssertThrowsError(try imap.capability()) { error in
            XCTAssertEqual((error as! IMAPError).kind, .sessionBroken)
        }
    }

    func testStalledServerTimesOut() throws {
        let server = FakeIMAPServer()
        server.messages = [FakeIMAPServer.textMessage(uid: 1, subject: "x", body: bytes("y"))]
        server.stallOnCommand = "UID FETCH"
        let imap = session(server, IMAPSessionOptions(commandTimeout: .milliseconds(50)))
        _ = try imap.examine(.inbox)
        XCTAssertThrowsError(try imap.fetchBatch(uids: UID(1)...UID(5))) { error in
            let imapError = error as! IMAPError
            XCTAssertEqual(imapError.kind, .timeout(after: .milliseconds(50)))
            XCTAssertEqual(imapError.uids, UID(1)...UID(5))
            XCTAssertEqual(imapError.mailbox, .inbox)
            XCTAssertTrue(imapError.isTransient)
        }
    }

    func testServerClosingMidFetch() throws {
        let server = FakeIMAPServer()
        server.messages = [FakeIMAPServer.textMessage(uid: 1, subject: "x", body: bytes("y"))]
        server.closeOnCommand = "UID FETCH"
        let imap = session(server)
        _ = try imap.examine(.inbox)
        XCTAssertThrowsError(try imap.fetchBatch(uids: UID(1)...UID(5))) { error in
            guard case .connectionClosed = (error as! IMAPError).kind else { return XCTFail("\(error)") }
        }
    }

    func testMalformedUntaggedResponseIsReportedButSessionStaysInStep() throws {
        let server = FakeIMAPServer()
        server.override["NOOP"] = { bytes("* 1 FETCH (UID nope)\r\n\($0) OK done\r\n") }
        let imap = session(server)
        XCTAssertThrowsError(try imap.noop()) { error in
            guard case .parse = (error as! IMAPError).kind else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(imap.isBroken)
        XCTAssertNoThrow(try imap.capability())
    }

    func testIdleReportsNewMailAndEndsWithDone() throws {
        let server = FakeIMAPServer()
        server.idleUpdates = ["* OK Still here", "* 5 EXISTS"]
        let imap = session(server)
        _ = try imap.examine(.inbox)
        XCTAssertEqual(try imap.idle(timeout: .seconds(5)), .changed([.exists(5)]))
        XCTAssertEqual(server.commandLines.suffix(2).last, "DONE")

        server.idleUpdates = []
        XCTAssertEqual(try imap.idle(timeout: .milliseconds(10)), .timedOut)
        XCTAssertEqual(server.commandLines.last, "DONE")
        XCTAssertNoThrow(try imap.noop())
    }

    func testLogoutClosesTransport() throws {
        let server = FakeIMAPServer()
        let imap = session(server)
        try imap.logout()
        XCTAssertThrowsError(try server.send(bytes("x"), timeout: .seconds(1)))
        XCTAssertTrue(imap.isBroken)
    }

    func testSyncLiteralWaitsForContinuation() throws {
        let server = FakeIMAPServer()
        server.capabilities = "IMAP4rev1"
        server.override["EXAMINE"] = { tag in
            bytes("+ go ahead\r\n* 0 EXISTS\r\n* OK [UIDVALIDITY 5] x\r\n\(tag) OK [READ-ONLY] done\r\n")
        }
        let imap = session(server)
        _ = try imap.capability()
        // Without LITERAL+, the 8-bit name becomes a synchronizing literal: the first line
        // ends at "{2}" and the name follows only after the server's "+".
        let result = try imap.examine(MailboxName(wire: [0x53, 0xE9]))
        XCTAssertEqual(result.uidValidity, UIDValidity(5))
        XCTAssertEqual(server.commandLines.suffix(2), ["A0002 EXAMINE {2}", "S\u{FFFD}"])
    }
}
