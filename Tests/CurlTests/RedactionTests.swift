import XCTest
@testable import Curl

final class RedactionTests: XCTestCase {
    private let redactor = DebugRedactor(secrets: ["hunter2", "tok-123"])

    func testIMAPAuthenticateKeepsOnlyTheMechanism() {
        XCTAssertEqual(redactor.redactSent("A001 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjI="),
                       "A001 AUTHENTICATE PLAIN <redacted>")
        XCTAssertEqual(redactor.redactSent("A001 AUTHENTICATE XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVy"),
                       "A001 AUTHENTICATE XOAUTH2 <redacted>")
    }

    func testIMAPLoginHidesUserAndPassword() {
        XCTAssertEqual(redactor.redactSent("A002 LOGIN \"alice\" \"s3cret\""), "A002 LOGIN <redacted>")
    }

    func testSMTPAuthAndContinuationLines() {
        XCTAssertEqual(redactor.redactSent("AUTH PLAIN AGFsaWNlAGh1bnRlcjI="), "AUTH PLAIN <redacted>")
        XCTAssertEqual(redactor.redactSent("AUTH LOGIN"), "AUTH LOGIN")
        XCTAssertEqual(redactor.redactSent("YWxpY2U="), "<redacted>")
        XCTAssertEqual(redactor.redactSent("QUIT"), "QUIT")
        XCTAssertEqual(redactor.redactSent("MAIL FROM:<a@example.com>"), "MAIL FROM:<a@example.com>")
    }

    func testKnownSecretsScrubbedEverywhere() {
        XCTAssertEqual(redactor.redactOther("server said hunter2 and tok-123"),
                       "server said <redacted> and <redacted>")
        XCTAssertEqual(redactor.redactSent("A003 SELECT hunter2"), "A003 SELECT <redacted>")
    }

    func testControlCharactersEscapedAndLinesBounded() {
        XCTAssertEqual(redactor.redactOther("a\u{1B}[31mb"), "a\\x1B[31mb")
        let long = String(repeating: "x", count: 5_000)
        XCTAssertLessThan(redactor.redactOther(long).count, 1_100)
    }

    func testSecretDescriptionIsRedacted() {
        let secret = Secret("hunter2")
        XCTAssertEqual("\(secret)", "<redacted>")
        XCTAssertFalse(String(reflecting: secret).contains("hunter2"))
        var dumped = ""
        dump(secret, to: &dumped)
        XCTAssertFalse(dumped.contains("hunter2"))
        let credentials = MailServerEndpoint.Credentials.password(user: "alice", password: secret)
        XCTAssertFalse("\(credentials)".contains("hunter2"))
        XCTAssertFalse(String(reflecting: credentials).contains("hunter2"))
    }
}
