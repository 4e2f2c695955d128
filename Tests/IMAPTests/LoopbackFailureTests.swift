import Curl
import XCTest
@testable import IMAP

/// The live transport (libcurl CONNECT_ONLY) against a scripted loopback server.
final class LoopbackFailureTests: XCTestCase {
    private func endpoint(_ server: LoopbackIMAPServer) throws -> MailServerEndpoint {
        try MailServerEndpoint(url: "imap://127.0.0.1:\(server.port)/", tls: MailServerEndpoint.TLSPolicy.none,
                               credentials: .password(user: "user", password: Secret("secret")),
                               connectTimeout: .seconds(5), responseTimeout: .milliseconds(700))
    }

    func testServerStallingAfterLoginTimesOut() throws {
        let server = try LoopbackIMAPServer(.stallAfterLogin)
        defer { server.stop() }
        let imap = try IMAPSession.connect(to: try endpoint(server), options: IMAPSessionOptions(commandTimeout: .milliseconds(300)))
        _ = try imap.examine(.inbox)
        XCTAssertThrowsError(try imap.fetchBatch(uids: UID(1)...UID(1))) { error in
            let imapError = error as! IMAPError
            XCTAssertEqual(imapError.kind, .timeout(after: .milliseconds(300)))
            XCTAssertEqual(imapError.command, "UID FETCH")
            XCTAssertTrue(imapError.isTransient)
        }
        XCTAssertTrue(imap.isBroken)
    }

    func testServerStallingBeforeLoginTimesOut() throws {
        let server = try LoopbackIMAPServer(.stallAfterGreeting)
        defer { server.stop() }
        XCTAssertThrowsError(try IMAPSession.connect(to: try endpoint(server))) { error in
            guard case .timeout = (error as! IMAPError).kind else { return XCTFail("\(error)") }
        }
    }

    func testServerClosingMidFetch() throws {
        let server = try LoopbackIMAPServer(.closeMidFetch)
        defer { server.stop() }
        let imap = try IMAPSession.connect(to: try endpoint(server), options: IMAPSessionOptions(commandTimeout: .seconds(5)))
        _ = try imap.examine(.inbox)
        XCTAssertThrowsError(try imap.fetchBatch(uids: UID(1)...UID(1))) { error in
            let imapError = error as! IMAPError
            switch imapError.kind {
            case .connectionClosed, .transport(_, transient: true): break
            default: XCTFail("unexpected \(imapError)")
            }
            XCTAssertEqual(imapError.mailbox, .inbox)
            XCTAssertEqual(imapError.uids, UID(1)...UID(1))
        }
    }
}
