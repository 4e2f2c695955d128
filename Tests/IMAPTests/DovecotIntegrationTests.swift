import Curl
import Foundation
import XCTest
@testable import IMAP

/// Against the stack's Dovecot (TP_* variables; skipped without them).
final class DovecotIntegrationTests: XCTestCase {
    func testLoginListExamineAndFetchOverTLSAndStartTLS() throws {
        let stack = try Stack.require()
        let folder = try stack.folder(with: (1...3).map { message(subject: "hello \($0)", body: "Body number \($0)\r\n") }, label: "basic")

        for startTLS in [false, true] {
            let imap = try stack.connect(startTLS: startTLS)
            XCTAssertTrue(try imap.capability().contains("IMAP4REV1"))
            let entries = try imap.list()
            XCTAssertTrue(entries.contains { $0.mailbox == folder }, "\(entries.map(\.mailbox))")
            XCTAssertEqual(try imap.findSentFolder()?.displayName, "Sent")

            let examined = try imap.examine(folder)
            XCTAssertEqual(examined.exists, 3)
            XCTAssertEqual(examined.uidNext, UID(4))
            if imap.capabilities.contains("CONDSTORE") { XCTAssertNotNil(examined.highestModSeq) }

            let plan = SyncPlanner.plan(cursor: nil, examined: examined, batchSize: 2)
            guard case .resync(.firstSync, _, let batches) = plan else { return XCTFail("\(plan)") }
            let messages = try batches.flatMap { range throws(IMAPError) in try imap.fetchBatch(uids: range) }
            XCTAssertEqual(messages.map(\.uid), [UID(1), UID(2), UID(3)])
            for (index, fetched) in messages.enumerated() {
                XCTAssertTrue(String(decoding: fetched.headerBytes, as: UTF8.self).contains("Subject: hello \(index + 1)\r\n"))
                XCTAssertEqual(fetched.firstTextPart?.bytes, bytes("Body number \(index + 1)\r\n"))
                XCTAssertEqual(fetched.firstTextPart?.charset, "utf-8")
                XCTAssertGreaterThan(fetched.size, UInt64(fetched.headerBytes.count))
                XCTAssertNotNil(fetched.internalDate)
            }
            try imap.logout()
        }
    }

    func testHostileContentKeepsSessionInStep() throws {
        let stack = try Stack.require()
        let injection = "Hi\r\nA0004 OK done\r\n* 99 FETCH (FLAGS (\\Deleted))\r\nA0005 OK [UIDNEXT 1] x\r\n{5}\r\n"
        let longLine = String(repeating: "z", count: 300 * 1024) + "\r\n"
        var eightBit = bytes("From: J\u{FC}rgen <j@example.com>\r\nSubject: Gr\u{FC}\u{DF}e ")
        eightBit += [0xE4, 0xF6, 0xFC, 0xFF, 0x80]  // Latin-1 bytes, invalid UTF-8
        eightBit += bytes("\r\nX-Raw: \u{1F600}\r\n\r\nbody\r\n")
        let folder = try stack.folder(with: [
            message(subject: "injection", body: injection),
            message(subject: "long line", body: longLine),
            eightBit,
            message(subject: "after", body: "still here\r\n"),
        ], label: "hostile")

        let imap = try stack.connect(IMAPSessionOptions(commandTimeout: .seconds(30), textPartLimit: 400 * 1024))
        _ = try imap.examine(folder)
        let messages = try imap.fetchBatch(uids: UID(1)...UID(4))
        XCTAssertEqual(messages.map(\.uid), [UID(1), UID(2), UID(3), UID(4)])
        XCTAssertEqual(messages[0].firstTextPart?.bytes, bytes(injection))
        XCTAssertEqual(messages[1].firstTextPart?.bytes.count, longLine.utf8.count)
        XCTAssertEqual(messages[1].firstTextPart?.truncated, false)
        XCTAssertEqual(Array(messages[2].headerBytes.prefix(eightBit.count - 6)), Array(eightBit.prefix(eightBit.count - 6)))
        XCTAssertEqual(messages[3].firstTextPart?.bytes, bytes("still here\r\n"))

        // Still in step: flags untouched (no \Deleted from the injected line), next commands work.
        let flags = try imap.fetchFlags(uids: UID(1)...UID(4))
        XCTAssertEqual(flags.count, 4)
        XCTAssertTrue(flags.values.allSatisfy { !$0.contains(.deleted) && !$0.contains(.seen) })
        XCTAssertNoThrow(try imap.noop())
        XCTAssertEqual(try imap.uidSearch(UID(1)...UID(10)), [UID(1), UID(2), UID(3), UID(4)])
    }

    func testLargeAttachmentCostsOnlyHeadersStructureAndTextPart() throws {
        let stack = try Stack.require()
        var big = bytes("From: a@example.com\r\nTo: b@example.com\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "Please find the invoice attached.\r\n--XYZ\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n"
            + "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n\r\n")
        let line = bytes(String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", count: 2) + "\r\n")  // 72 chars
        let lines = 25 * 1024 * 1024 / line.count + 1
        big.reserveCapacity(big.count + lines * line.count + 20)
        for _ in 0..<lines { big += line }
        big += bytes("--XYZ--\r\n")
        let folder = try stack.folder(with: [big], label: "big")

        let imap = try stack.connect()
        let observed = ObservedTransport(imap.transport)
        let session = IMAPSession(transport: observed, options: imap.options)
        _ = try session.examine(folder)
        let before = observed.received
        let messages = try session.fetchBatch(uids: UID(1)...UID(1))
        let transferred = observed.received - before
        let fetched = try XCTUnwrap(messages.first)
        XCTAssertGreaterThan(fetched.size, 25 * 1024 * 1024)
        XCTAssertEqual(fetched.firstTextPart?.bytes, bytes("Please find the invoice attached."))
        let attachment = try XCTUnwrap(fetched.bodyStructure?.part(at: [2]))
        XCTAssertEqual(attachment.filename, "invoice.pdf")
        XCTAssertGreaterThan(attachment.size, 25 * 1024 * 1024)
        XCTAssertLessThan(transferred, 16 * 1024, "bytes received for a 25 MB message")
        XCTAssertEqual(UInt64(transferred), session.bytesReceived - UInt64(before))
    }

    func testFullFetchLeavesFlagsUnchanged() throws {
        let stack = try Stack.require()
        let folder = try stack.folder(with: (1...5).map { message(subject: "flag \($0)", body: "text \($0)\r\n") }, label: "flags")
        let imap = try stack.connect()
        _ = try imap.examine(folder)
        XCTAssertEqual(try imap.fetchBatch(uids: UID(1)...UID(5)).count, 5)
        try imap.logout()

        // A second connection sees the server's state, not anything cached by the first.
        let check = try stack.connect()
        _ = try check.examine(folder)
        let flags = try check.fetchFlags(uids: UID(1)...UID(5))
        XCTAssertEqual(flags.count, 5)
        for (uid, list) in flags { XCTAssertFalse(list.contains(.seen), "UID \(uid) was marked \\Seen") }
    }

    func testTenThousandTinyMessages() throws {
        let stack = try Stack.require()
        let folder = try stack.folder(with: (1...10_000).map { message(subject: "tiny \($0)", body: "\($0)\r\n") }, label: "tiny")
        let imap = try stack.connect()
        let examined = try imap.examine(folder)
        XCTAssertEqual(examined.exists, 10_000)
        guard case .resync(_, _, let batches) = SyncPlanner.plan(cursor: nil, examined: examined, batchSize: 1000) else {
            return XCTFail("expected a first sync")
        }
        var seen = Set<UID>()
        try imap.fetchBatches(batches) { (messages: [FetchedMessage]) throws(IMAPError) in
            for fetched in messages {
                XCTAssertTrue(seen.insert(fetched.uid).inserted)
                XCTAssertEqual(fetched.firstTextPart?.bytes, bytes("\(fetched.uid)\r\n"))
            }
        }
        XCTAssertEqual(seen.count, 10_000)
    }

    func testIdleWakesOnNewMailAndTimesOutQuietly() throws {
        let stack = try Stack.require()
        let folder = try stack.folder(with: [message(subject: "first", body: "1\r\n")], label: "idle")
        let imap = try stack.connect()
        _ = try imap.examine(folder)
        XCTAssertEqual(try imap.idle(timeout: .milliseconds(300)), .timedOut)

        // Mail arrives from another process while the session waits in IDLE.
        let delivered = expectation(description: "second message loaded")
        let delivery = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idle-\(UUID().uuidString)")
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? Data(message(subject: "second", body: "2\r\n")).write(to: directory.appendingPathComponent("1.eml"))
            try? stack.run(["load-mail", stack.user, folder.displayName, directory.path])
            try? FileManager.default.removeItem(at: directory)
            delivered.fulfill()
        }
        delivery.start()
        let outcome = try imap.idle(timeout: .seconds(30))
        guard case .changed(let updates) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertTrue(updates.contains(.exists(2)), "\(updates)")
        wait(for: [delivered], timeout: 30)
        XCTAssertEqual(try imap.uidSearch(from: UID(2)), [UID(2)])
    }

    /// Dovecot keeps already-connected sessions alive when its master stops (checked with
    /// imaplib as well), so the connection drop itself is covered by `LoopbackFailureTests`;
    /// here: a fetch racing the stop ends complete or with a transient typed error, new
    /// connections fail with one, and after a restart the same messages come back.
    func testDovecotStoppedDuringFetchThenRestarted() throws {
        let stack = try Stack.require()
        let padding = String(repeating: "X-Padding: 0123456789012345678901234567890123456789\r\n", count: 20)
        let folder = try stack.folder(with: (1...500).map { message(subject: "m\($0)", body: "b\r\n", extraHeaders: padding) }, label: "stop")
        let imap = try stack.connect()
        let observed = ObservedTransport(imap.transport)
        let session = IMAPSession(transport: observed, options: IMAPSessionOptions(commandTimeout: .seconds(20)))
        _ = try session.examine(folder)
        var stopError: (any Error)?
        var stopped = false
        observed.arm {
            do {
                try stack.run(["stop-service", "dovecot"])
                stopped = true
            } catch {
                stopError = error
            }
        }
        var restarted = false
        defer { if !restarted { try? stack.run(["start-service", "dovecot"]) } }
        do {
            let messages = try session.fetchBatch(uids: UID(1)...UID(500))
            XCTAssertEqual(messages.count, 500)
        } catch {
            XCTAssertTrue(error.isTransient, "\(error)")
            XCTAssertEqual(error.mailbox, folder)
        }
        XCTAssertTrue(stopped, "stop-service failed: \(String(describing: stopError))")

        XCTAssertThrowsError(try stack.connect()) { error in
            guard let imapError = error as? IMAPError, case .transport(_, transient: true) = imapError.kind else {
                return XCTFail("\(error)")
            }
        }
        try stack.run(["start-service", "dovecot"])
        restarted = true
        let again = try stack.connect()
        _ = try again.examine(folder)
        let messages = try again.fetchBatch(uids: UID(1)...UID(500))
        XCTAssertEqual(messages.map(\.uid), (1...500).map { UID($0) })
    }
}
