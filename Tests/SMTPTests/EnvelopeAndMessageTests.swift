import Curl
import XCTest
@testable import SMTP

final class EnvelopeAddressTests: XCTestCase {
    func testAcceptsOrdinaryAddresses() throws {
        XCTAssertEqual(try EnvelopeAddress("alice@example.com").addrSpec, "alice@example.com")
        XCTAssertEqual(try EnvelopeAddress("<alice@example.com>").path, "<alice@example.com>")
        XCTAssertEqual(try EnvelopeAddress("first.last+tag@sub.example.co.uk").domain, "sub.example.co.uk")
        XCTAssertEqual(try EnvelopeAddress("o'brien@xn--bcher-kva.example").localPart, "o'brien")
        XCTAssertNoThrow(try EnvelopeAddress("postmaster@[192.0.2.1]"))
    }

    func testRefusesInjectionAndMalformedAddresses() {
        let hostile = [
            "alice@example.com\r\nRCPT TO:<evil@example.com>", "alice@example.com\n", "alice\r@example.com",
            "al\u{0}ice@example.com", "alice @example.com", "<alice@example.com", "alice@example.com>",
            "<<alice@example.com>>", "a<b@example.com", "alice", "@example.com", "alice@", "alice@exa mple.com",
            ".alice@example.com", "al..ice@example.com", "\"quoted\"@example.com", "jürgen@example.com",
            "alice@-example.com", "alice@example..com", String(repeating: "a", count: 65) + "@example.com",
            "a@" + String(repeating: "b", count: 260), "",
        ]
        for text in hostile {
            XCTAssertThrowsError(try EnvelopeAddress(text), EnvelopeAddress.quoted(text)) { error in
                guard let error = error as? SMTPError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.kind, .invalidEnvelope)
                XCTAssertFalse(error.isTransient)
                XCTAssertFalse(error.description.contains("\r"), "error text must not carry a raw CR")
                XCTAssertFalse(error.description.contains("\n"), "error text must not carry a raw LF")
            }
        }
    }
}

final class OutgoingMessageCheckTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testAcceptsCRLFMessagesAndAddsAMissingFinalCRLF() throws {
        let message = bytes("Subject: hi\r\n\r\nbody\r\n")
        XCTAssertEqual(try OutgoingMessageCheck.prepared(message, maximumSize: 1000), message)
        XCTAssertEqual(try OutgoingMessageCheck.prepared(bytes("Subject: hi\r\n\r\nbody"), maximumSize: 1000),
                       message)
    }

    func testRefusesBareLineBreaksNulLongLinesAndSize() {
        let bad = [
            bytes("Subject: hi\n\nbody\r\n"), bytes("Subject: hi\r\n\r\nbo\rdy\r\n"), bytes("Subject: hi\r\n\r\nbody\r"),
            bytes("Subject: hi\r\n\r\nb\u{0}dy\r\n"), bytes("Subject: " + String(repeating: "x", count: 1_000) + "\r\n"),
            bytes(String(repeating: "x", count: 999)), [],
        ]
        for message in bad {
            XCTAssertThrowsError(try OutgoingMessageCheck.prepared(message, maximumSize: 10_000)) { error in
                XCTAssertEqual((error as? SMTPError)?.kind, .invalidMessage)
            }
        }
        XCTAssertThrowsError(try OutgoingMessageCheck.prepared(bytes("a\r\n"), maximumSize: 2))
        XCTAssertNoThrow(try OutgoingMessageCheck.prepared(bytes(String(repeating: "x", count: 998) + "\r\n"),
                                                           maximumSize: 10_000))
    }
}

final class SMTPTranscriptTests: XCTestCase {
    private func run(_ lines: [(CurlDebugEvent.Kind, String)]) -> SMTPTranscript {
        var transcript = SMTPTranscript()
        for (kind, text) in lines { transcript.observe(CurlDebugEvent(kind: kind, text: text)) }
        return transcript
    }

    func testPairsEachRecipientWithItsReply() throws {
        let transcript = run([
            (.info, "Connected to 127.0.0.1 (127.0.0.1) port 25 (#0)"),
            (.received, "220 localhost ESMTP"), (.sent, "EHLO localhost"),
            (.received, "250-localhost"), (.received, "250-AUTH PLAIN LOGIN"), (.received, "250 HELP"),
            (.sent, "AUTH PLAIN <redacted>"), (.received, "235 2.7.0 Authentication successful"),
            (.sent, "MAIL FROM:<from@example.com> SIZE=42"), (.received, "250 OK"),
            (.sent, "RCPT TO:<a@example.com>"), (.received, "250 2.1.5 OK"),
            (.sent, "RCPT TO:<reject@example.com>"), (.received, "550 5.1.1 <reject@example.com>: rejected"),
            (.sent, "RCPT TO:<tempfail@example.com>"), (.received, "451 4.3.0 try later"),
            (.sent, "DATA"), (.received, "354 End data with <CR><LF>.<CR><LF>"),
            (.sentData, "42 bytes"), (.received, "250 OK queued as 000001"),
        ])
        let recipients = try ["a@example.com", "reject@example.com", "tempfail@example.com", "never@example.com"]
            .map { try EnvelopeAddress($0) }
        let results = transcript.results(for: recipients)
        XCTAssertEqual(results.map(\.isAccepted), [true, false, false, false])
        XCTAssertEqual(results[1].outcome, .rejected(SMTPReply(code: 550, text: "5.1.1 <reject@example.com>: rejected")))
        XCTAssertFalse(results[1].isRetryable)
        XCTAssertTrue(results[2].isRetryable)
        XCTAssertEqual(results[3].outcome, .notAttempted)
        XCTAssertEqual(transcript.messageReply?.code, 250)
        XCTAssertEqual(transcript.mailFromReply?.code, 250)
        XCTAssertEqual(transcript.dataReply?.code, 354)
        XCTAssertTrue(transcript.sentAuthentication)
        XCTAssertEqual(transcript.connectionsOpened, 1)
    }

    func testReplyParsing() {
        XCTAssertEqual(SMTPReply.parse(line: "250-PIPELINING")?.isFinal, false)
        XCTAssertEqual(SMTPReply.parse(line: "250 OK")?.reply, SMTPReply(code: 250, text: "OK"))
        XCTAssertEqual(SMTPReply.parse(line: "421")?.reply.code, 421)
        XCTAssertNil(SMTPReply.parse(line: "hello"))
        XCTAssertNil(SMTPReply.parse(line: "25x OK"))
        XCTAssertTrue(SMTPReply(code: 451, text: "").isTransient)
        XCTAssertTrue(SMTPReply(code: 550, text: "").isPermanent)
    }

    func testErrorTransience() throws {
        let address = try EnvelopeAddress("x@example.com")
        let temp = SMTPError(kind: .recipientsRejected,
                             recipients: [RecipientResult(recipient: address, outcome: .rejected(SMTPReply(code: 451, text: "")))])
        XCTAssertTrue(temp.isTransient)
        let permanent = SMTPError(kind: .recipientsRejected,
                                  recipients: [RecipientResult(recipient: address, outcome: .rejected(SMTPReply(code: 550, text: "")))])
        XCTAssertFalse(permanent.isTransient)
        XCTAssertTrue(SMTPError(kind: .senderRejected, reply: SMTPReply(code: 421, text: "busy")).isTransient)
        XCTAssertFalse(SMTPError(kind: .senderRejected, reply: SMTPReply(code: 553, text: "no")).isTransient)
        XCTAssertTrue(SMTPError(kind: .timeout).isTransient)
        XCTAssertFalse(SMTPError(kind: .authentication).isTransient)
    }
}
