import XCTest
@testable import Curl

final class EndpointTests: XCTestCase {
    func testPolicyDerivedFromScheme() throws {
        XCTAssertEqual(try MailServerEndpoint(url: "imaps://mail.example.com/").tls, .implicit)
        XCTAssertEqual(try MailServerEndpoint(url: "imap://mail.example.com/").tls, .startTLSRequired)
        XCTAssertEqual(try MailServerEndpoint(url: "smtp://mail.example.com:587").tls, .startTLSRequired)
        XCTAssertEqual(try MailServerEndpoint(url: "smtps://mail.example.com").port, nil)
        XCTAssertEqual(try MailServerEndpoint(url: "smtps://mail.example.com:465").port, 465)
    }

    func testPlaintextOnlyWhenAskedFor() throws {
        let plain = try MailServerEndpoint(
            url: "imap://mail.example.com/", tls: MailServerEndpoint.TLSPolicy.none,
            credentials: .password(user: "a", password: Secret("p")))
        XCTAssertTrue(plain.sendsCredentialsInPlaintext)
        XCTAssertFalse(try MailServerEndpoint(url: "imap://mail.example.com/").sendsCredentialsInPlaintext)
        XCTAssertThrowsError(try MailServerEndpoint(url: "imaps://mail.example.com/", tls: MailServerEndpoint.TLSPolicy.none))
        XCTAssertThrowsError(try MailServerEndpoint(url: "imap://mail.example.com/", tls: .implicit))
    }

    func testRejectsBadURLsAndCredentials() {
        for url in ["http://example.com/", "imap://user:pw@example.com/", "imap:///", "imap://exa mple.com/",
                    "imap://example.com/\r\nA1 LOGOUT", "notaurl"] {
            XCTAssertThrowsError(try MailServerEndpoint(url: url), url) { error in
                XCTAssertEqual((error as? CurlError)?.kind, .invalidConfiguration)
            }
        }
        XCTAssertThrowsError(try MailServerEndpoint(
            url: "imaps://example.com/", credentials: .password(user: "a\r\nA1 LOGOUT", password: Secret("p"))))
        XCTAssertThrowsError(try MailServerEndpoint(
            url: "imaps://example.com/", credentials: .password(user: "a", password: Secret("p\u{0}q"))))
    }

    func testErrorKindsAndTransience() {
        let refused = CurlError(refused: .invalidConfiguration, operation: "x", detail: "y")
        XCTAssertFalse(refused.isTransient)
        XCTAssertNil(refused.code)
        XCTAssertEqual(CurlError(code: 28, operation: "p", detail: "").kind, .timeout)
        XCTAssertTrue(CurlError(code: 7, operation: "p", detail: "").isTransient)
        XCTAssertEqual(CurlError(code: 60, operation: "p", detail: "").kind, .tlsCertificate)
        XCTAssertEqual(CurlError(code: 67, operation: "p", detail: "").kind, .loginDenied)
        XCTAssertFalse(CurlError(code: 67, operation: "p", detail: "").isTransient)
        XCTAssertTrue(CurlError(code: 67, operation: "login", detail: "").description.contains("67"))
    }

    func testStringOptionsRefuseNUL() throws {
        let easy = try CurlEasy()
        XCTAssertThrowsError(try easy.setMailFrom("a\u{0}b@example.com"))
        XCTAssertThrowsError(try easy.setMailRecipients(["ok@example.com", "x\u{0}@example.com"]))
    }
}

final class DurationConversionTests: XCTestCase {
    func testMillisecondsRoundUpClampAndSaturate() {
        XCTAssertEqual(Duration.seconds(2).curlMilliseconds, 2_000)
        XCTAssertEqual(Duration.microseconds(1).curlMilliseconds, 1)
        XCTAssertEqual(Duration.milliseconds(1_500).curlMilliseconds, 1_500)
        XCTAssertEqual(Duration.zero.curlMilliseconds, 0)
        XCTAssertEqual(Duration.seconds(-5).curlMilliseconds, 0)
        XCTAssertEqual(Duration.seconds(Int64.max).curlMilliseconds, Int.max)
    }
}
