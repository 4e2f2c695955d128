import Curl
import Foundation
import XCTest
@testable import SMTP

/// Sending through libcurl to the stack's aiosmtpd sink, and to fake servers for the refusals.
final class SMTPSinkTests: XCTestCase {
    private let sender = try! EnvelopeAddress("touchpoint@example.com")

    func testMessageArrivesByteExactOverSTARTTLS() throws {
        let stack = try SMTPStack.required()
        var trace: [CurlDebugEvent] = []
        let client = try SMTPClient(endpoint: try stack.endpoint(), trace: { trace.append($0) })
        let token = uniqueToken()
        let message = testMessage(token: token)
        let delivery = try client.send(message, from: sender, to: [try EnvelopeAddress("alice@example.com")])
        XCTAssertEqual(delivery.accepted.map(\.addrSpec), ["alice@example.com"])
        XCTAssertEqual(delivery.reply.code, 250)
        XCTAssertTrue(trace.contains { $0.kind == .sent && $0.text == "STARTTLS" }, "STARTTLS not used")

        let spooled = try XCTUnwrap(try stack.spooled(containing: token), "message not in the spool")
        // The sink stores DATA with libcurl's dot-stuffing undone: exactly the bytes we gave.
        XCTAssertEqual(spooled.eml, message)
        XCTAssertEqual(spooled.mailFrom, "touchpoint@example.com")
        XCTAssertEqual(spooled.rcptTos, ["alice@example.com"])
        let text = trace.map(\.description).joined(separator: "\n")
        XCTAssertFalse(text.contains(stack.password), "trace leaks the password")
        XCTAssertFalse(text.contains("Árvíztűrő"), "trace leaks message content")
    }

    func testImplicitTLSPortWorks() throws {
        let stack = try SMTPStack.required()
        let client = try SMTPClient(endpoint: try stack.endpoint(scheme: "smtps"))
        let token = uniqueToken()
        let message = testMessage(token: token)
        let delivery = try client.send(message, from: sender, to: [try EnvelopeAddress("bob@example.com")])
        XCTAssertEqual(delivery.accepted.count, 1)
        XCTAssertEqual(try XCTUnwrap(try stack.spooled(containing: token)).eml, message)
    }

    func testConnectionIsReusedAcrossSends() throws {
        let stack = try SMTPStack.required()
        var authentications = 0
        let client = try SMTPClient(endpoint: try stack.endpoint(scheme: "smtps"), trace: { event in
            if event.kind == .sent && event.text.hasPrefix("AUTH") { authentications += 1 }
        })
        var tokens: [String] = []
        var opened: [Bool] = []
        for _ in 0..<3 {
            let token = uniqueToken()
            tokens.append(token)
            opened.append(try client.send(testMessage(token: token), from: sender,
                                          to: [try EnvelopeAddress("carol@example.com")]).openedConnection)
        }
        XCTAssertEqual(opened, [true, false, false])
        XCTAssertEqual(authentications, 1)
        for token in tokens { XCTAssertNotNil(try stack.spooled(containing: token), token) }
    }

    func testRejectedRecipientDoesNotLoseTheOthers() throws {
        let stack = try SMTPStack.required()
        let client = try SMTPClient(endpoint: try stack.endpoint())
        let token = uniqueToken()
        let recipients = try ["alice@example.com", "reject-me@example.com", "bob@example.com"].map { try EnvelopeAddress($0) }
        let delivery = try client.send(testMessage(token: token), from: sender, to: recipients)
        XCTAssertEqual(delivery.accepted.map(\.addrSpec), ["alice@example.com", "bob@example.com"])
        XCTAssertEqual(delivery.rejected.map(\.recipient.addrSpec), ["reject-me@example.com"])
        guard case .rejected(let reply) = delivery.rejected.first?.outcome else { return XCTFail("no rejection") }
        XCTAssertEqual(reply.code, 550)
        XCTAssertTrue(reply.text.contains("reject-me@example.com"), reply.text)
        XCTAssertFalse(delivery.rejected[0].isRetryable)
        let spooled = try XCTUnwrap(try stack.spooled(containing: token))
        XCTAssertEqual(spooled.rcptTos, ["alice@example.com", "bob@example.com"])
    }

    func testTempfailRecipientIsTransient() throws {
        let stack = try SMTPStack.required()
        let client = try SMTPClient(endpoint: try stack.endpoint())
        let mixed = try client.send(testMessage(token: uniqueToken()), from: sender,
                                    to: [try EnvelopeAddress("alice@example.com"), try EnvelopeAddress("tempfail-1@example.com")])
        XCTAssertEqual(mixed.rejected.count, 1)
        XCTAssertTrue(mixed.rejected[0].isRetryable)

        XCTAssertThrowsError(try client.send(testMessage(token: uniqueToken()), from: sender,
                                             to: [try EnvelopeAddress("tempfail-2@example.com")])) { error in
            guard let error = error as? SMTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .recipientsRejected, "\(error)")
            XCTAssertTrue(error.isTransient, "\(error)")
            XCTAssertEqual(error.recipients.first.flatMap { if case .rejected(let r) = $0.outcome { r.code } else { nil } }, 451)
        }
        XCTAssertThrowsError(try client.send(testMessage(token: uniqueToken()), from: sender,
                                             to: [try EnvelopeAddress("reject-2@example.com")])) { error in
            guard let error = error as? SMTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .recipientsRejected, "\(error)")
            XCTAssertFalse(error.isTransient, "\(error)")
        }
        // The client recovers after failed transactions.
        let token = uniqueToken()
        XCTAssertEqual(try client.send(testMessage(token: token), from: sender,
                                       to: [try EnvelopeAddress("alice@example.com")]).accepted.count, 1)
        XCTAssertNotNil(try stack.spooled(containing: token))
    }

    func testPlainPortRefusedBeforeCredentials() throws {
        let stack = try SMTPStack.required()
        var trace: [CurlDebugEvent] = []
        let client = try SMTPClient(endpoint: try stack.endpoint(port: stack.plainPort), trace: { trace.append($0) })
        let before = try stack.spooledCount()
        XCTAssertThrowsError(try client.send(testMessage(token: uniqueToken()), from: sender,
                                             to: [try EnvelopeAddress("alice@example.com")])) { error in
            guard let error = error as? SMTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .tls, "\(error)")
            XCTAssertEqual(error.curlError?.kind, .tlsUnavailable, "\(error)")
            XCTAssertFalse(error.isTransient)
        }
        XCTAssertTrue(trace.contains { $0.kind == .sent && $0.text.hasPrefix("EHLO") }, "never reached the server")
        XCTAssertFalse(trace.contains { $0.kind == .sent && ($0.text.hasPrefix("AUTH") || $0.text.hasPrefix("MAIL")) })
        XCTAssertEqual(try stack.spooledCount(), before)
    }

    func testNoCredentialsSentToAServerWithoutSTARTTLS() throws {
        let server = try FakeSMTPServer()
        let endpoint = try MailServerEndpoint(
            url: "smtp://127.0.0.1:\(server.port)", credentials: .password(user: "u", password: Secret("pw-secret")),
            connectTimeout: .seconds(5), responseTimeout: .seconds(5))
        let client = try SMTPClient(endpoint: endpoint)
        XCTAssertThrowsError(try client.send(testMessage(token: uniqueToken()), from: sender,
                                             to: [try EnvelopeAddress("alice@example.com")])) { error in
            XCTAssertEqual((error as? SMTPError)?.kind, .tls, "\(error)")
        }
        // A failed send drops the connection, so the fake server's record is complete now.
        let lines = server.linesAfterClose()
        XCTAssertTrue(lines.contains { $0.hasPrefix("EHLO") }, "\(lines)")
        XCTAssertFalse(lines.contains { $0.uppercased().hasPrefix("AUTH") || $0.hasPrefix("MAIL") }, "\(lines)")
    }

    func testFakeServerDoesSeeCredentialsWhenPlaintextIsAllowed() throws {
        // Shows the test above could fail: with tls = none the same server receives AUTH.
        let server = try FakeSMTPServer()
        let endpoint = try MailServerEndpoint(
            url: "smtp://127.0.0.1:\(server.port)", tls: MailServerEndpoint.TLSPolicy.none,
            credentials: .password(user: "u", password: Secret("pw-secret")),
            connectTimeout: .seconds(5), responseTimeout: .seconds(5))
        let delivery = try SMTPClient(endpoint: endpoint).send(
            testMessage(token: uniqueToken()), from: sender, to: [try EnvelopeAddress("alice@example.com")])
        XCTAssertEqual(delivery.accepted.count, 1)
        XCTAssertTrue(server.linesAfterClose().contains { $0.uppercased().hasPrefix("AUTH") })
    }

    func testEnvelopeWithCRLFRefusedBeforeConnecting() throws {
        let server = try FakeSMTPServer()
        var trace: [CurlDebugEvent] = []
        let endpoint = try MailServerEndpoint(url: "smtp://127.0.0.1:\(server.port)", tls: MailServerEndpoint.TLSPolicy.none)
        let client = try SMTPClient(endpoint: endpoint, trace: { trace.append($0) })
        XCTAssertThrowsError(try client.send(testMessage(token: uniqueToken()), from: sender,
                                             to: [try EnvelopeAddress("alice@example.com\r\nRCPT TO:<evil@example.com>")])) {
            XCTAssertEqual(($0 as? SMTPError)?.kind, .invalidEnvelope)
        }
        XCTAssertThrowsError(try client.send(Array("Subject: x\n\nbare LF\n".utf8), from: sender,
                                             to: [try EnvelopeAddress("alice@example.com")])) {
            XCTAssertEqual(($0 as? SMTPError)?.kind, .invalidMessage)
        }
        XCTAssertTrue(trace.isEmpty, "libcurl ran: \(trace)")
        // Now a valid send goes through, so the server was reachable all along.
        XCTAssertEqual(try client.send(testMessage(token: uniqueToken()), from: sender,
                                       to: [try EnvelopeAddress("alice@example.com")]).accepted.count, 1)
        XCTAssertFalse(trace.isEmpty)
    }

    func testServerVerdictsDecideTransience() throws {
        let cases: [(mailFrom: String, message: String, kind: SMTPError.Kind, code: Int, transient: Bool)] = [
            ("550 5.7.1 sender refused", "250 queued", .senderRejected, 550, false),
            ("421 4.3.2 try later", "250 queued", .senderRejected, 421, true),
            ("250 ok", "554 5.6.0 message refused", .messageRejected, 554, false),
            ("250 ok", "452 4.3.1 insufficient storage", .messageRejected, 452, true),
        ]
        for expected in cases {
            let server = try FakeSMTPServer(mailFromReply: expected.mailFrom, messageReply: expected.message)
            let endpoint = try MailServerEndpoint(
                url: "smtp://127.0.0.1:\(server.port)", tls: MailServerEndpoint.TLSPolicy.none,
                connectTimeout: .seconds(5), responseTimeout: .seconds(5))
            XCTAssertThrowsError(try SMTPClient(endpoint: endpoint).send(
                testMessage(token: uniqueToken()), from: sender, to: [try EnvelopeAddress("alice@example.com")])) { error in
                guard let error = error as? SMTPError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.kind, expected.kind, "\(error)")
                XCTAssertEqual(error.reply?.code, expected.code, "\(error)")
                XCTAssertEqual(error.isTransient, expected.transient, "\(error)")
            }
        }
    }

    func testLostVerdictSaysTheMessageMayHaveBeenDelivered() throws {
        let server = try FakeSMTPServer(dropAfterData: true)
        let endpoint = try MailServerEndpoint(
            url: "smtp://127.0.0.1:\(server.port)", tls: MailServerEndpoint.TLSPolicy.none,
            connectTimeout: .seconds(5), responseTimeout: .seconds(5))
        XCTAssertThrowsError(try SMTPClient(endpoint: endpoint).send(
            testMessage(token: uniqueToken()), from: sender, to: [try EnvelopeAddress("alice@example.com")])) { error in
            guard let error = error as? SMTPError else { return XCTFail("\(error)") }
            XCTAssertTrue(error.mayHaveBeenDelivered, "\(error)")
            XCTAssertTrue(error.isTransient, "\(error)")
        }
        // A failure before DATA is not ambiguous.
        let refusing = try FakeSMTPServer(mailFromReply: "451 busy")
        let refusingEndpoint = try MailServerEndpoint(
            url: "smtp://127.0.0.1:\(refusing.port)", tls: MailServerEndpoint.TLSPolicy.none,
            connectTimeout: .seconds(5), responseTimeout: .seconds(5))
        XCTAssertThrowsError(try SMTPClient(endpoint: refusingEndpoint).send(
            testMessage(token: uniqueToken()), from: sender, to: [try EnvelopeAddress("alice@example.com")])) { error in
            XCTAssertEqual((error as? SMTPError)?.mayHaveBeenDelivered, false, "\(error)")
        }
    }

    func testWrongPasswordIsAPermanentAuthenticationError() throws {
        let stack = try SMTPStack.required()
        let client = try SMTPClient(endpoint: try stack.endpoint(password: stack.password + "-wrong"))
        XCTAssertThrowsError(try client.send(testMessage(token: uniqueToken()), from: sender,
                                             to: [try EnvelopeAddress("alice@example.com")])) { error in
            guard let error = error as? SMTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .authentication, "\(error)")
            XCTAssertFalse(error.isTransient)
            XCTAssertFalse(error.description.contains(stack.password))
        }
    }

    func testWrongCAIsATLSError() throws {
        let stack = try SMTPStack.required()
        guard let otherCA = ProcessInfo.processInfo.environment["TP_OTHER_CA_FILE"] else {
            throw XCTSkip("TP_OTHER_CA_FILE not set: run deploy/local/test")
        }
        var endpoint = try stack.endpoint(scheme: "smtps")
        endpoint.caFile = otherCA
        XCTAssertThrowsError(try SMTPClient(endpoint: endpoint).send(
            testMessage(token: uniqueToken()), from: sender, to: [try EnvelopeAddress("alice@example.com")])) { error in
            XCTAssertEqual((error as? SMTPError)?.kind, .tls, "\(error)")
            XCTAssertEqual((error as? SMTPError)?.curlError?.kind, .tlsCertificate, "\(error)")
        }
    }

    func testStalledServerTimesOut() throws {
        let server = try FakeSMTPServer(stall: true)
        let endpoint = try MailServerEndpoint(
            url: "smtp://127.0.0.1:\(server.port)", tls: MailServerEndpoint.TLSPolicy.none,
            connectTimeout: .seconds(2), responseTimeout: .seconds(1))
        let client = try SMTPClient(endpoint: endpoint, messageTimeout: .seconds(10))
        XCTAssertThrowsError(try client.send(testMessage(token: uniqueToken()), from: sender,
                                             to: [try EnvelopeAddress("alice@example.com")])) { error in
            guard let error = error as? SMTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .timeout, "\(error)")
            XCTAssertTrue(error.isTransient)
        }
    }
}

