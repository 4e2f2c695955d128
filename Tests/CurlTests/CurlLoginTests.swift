import Foundation
import XCTest
@testable import Curl

/// libcurl connects, secures and logs into the stack's Dovecot, then hands over the stream.
final class CurlLoginTests: XCTestCase {
    private func connect(_ endpoint: MailServerEndpoint, debug: ((CurlDebugEvent) -> Void)? = nil) throws -> CurlEasy {
        let easy = try CurlEasy()
        try endpoint.apply(to: easy)
        try easy.setConnectOnly(true)
        if let debug { try easy.setDebugHandler(debug) }
        try easy.perform()
        return easy
    }

    private func assertNoopWorks(_ easy: CurlEasy, file: StaticString = #filePath, line: UInt = #line) throws {
        let socket = try XCTUnwrap(easy.activeSocket, file: file, line: line)
        XCTAssertGreaterThanOrEqual(socket, 0, file: file, line: line)
        try easy.sendAll(Array("a1 NOOP\r\n".utf8), timeout: .seconds(10))
        let reply = try easy.readUntilLine(startingWith: "a1 ")
        XCTAssertTrue(reply.contains("a1 OK"), reply, file: file, line: line)
    }

    private func assertFails(_ endpoint: MailServerEndpoint, with kind: CurlError.Kind,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try connect(endpoint), file: file, line: line) { error in
            guard let error = error as? CurlError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        }
    }

    func testImplicitTLSLoginThenNoop() throws {
        let stack = try MailStack.required()
        let endpoint = try MailServerEndpoint(
            url: "imaps://\(stack.host):\(stack.imapsPort)/", caFile: stack.caFile, credentials: stack.passwordCredentials)
        try assertNoopWorks(try connect(endpoint))
    }

    func testLogoutEndsTheStream() throws {
        let stack = try MailStack.required()
        let easy = try connect(try MailServerEndpoint(
            url: "imaps://\(stack.host):\(stack.imapsPort)/", caFile: stack.caFile, credentials: stack.passwordCredentials))
        try easy.sendAll(Array("a2 LOGOUT\r\n".utf8), timeout: .seconds(10))
        XCTAssertTrue(try easy.readUntilLine(startingWith: "a2 ").contains("a2 OK"))
        var buffer = [UInt8](repeating: 0, count: 1024)
        var outcome = CurlEasy.StreamResult.wouldBlock
        for _ in 0..<100 {
            do {
                outcome = try buffer.withUnsafeMutableBytes { try easy.receive(into: $0) }
            } catch let error as CurlError {
                // A TLS peer may reset instead of closing cleanly; either way the stream ended.
                XCTAssertEqual(error.kind, .recvFailed, "\(error)")
                return
            }
            if outcome == .closed { break }
            if outcome == .wouldBlock { _ = try easy.wait(for: .readable, timeout: .seconds(5)) }
        }
        XCTAssertEqual(outcome, .closed)
    }

    func testSilentServerTimesOut() throws {
        let server = try FakeIMAPServer(stall: true)
        let endpoint = try MailServerEndpoint(
            url: "imap://127.0.0.1:\(server.port)/", credentials: .password(user: "alice", password: Secret("pw")),
            connectTimeout: .seconds(2), responseTimeout: .seconds(1), loginTimeout: .seconds(5))
        assertFails(endpoint, with: .timeout)
        XCTAssertTrue(server.linesAfterClose().isEmpty)
    }

    func testStreamOutlivesTheLoginTimeout() throws {
        // libcurl's TIMEOUT_MS bounds the login perform only; the handed-over stream keeps working.
        let stack = try MailStack.required()
        let endpoint = try MailServerEndpoint(
            url: "imaps://\(stack.host):\(stack.imapsPort)/", caFile: stack.caFile, credentials: stack.passwordCredentials,
            loginTimeout: .seconds(1))
        let easy = try connect(endpoint)
        Thread.sleep(forTimeInterval: 1.5)
        try assertNoopWorks(easy)
    }

    func testSTARTTLSLoginThenNoop() throws {
        let stack = try MailStack.required()
        let endpoint = try MailServerEndpoint(
            url: "imap://\(stack.host):\(stack.imapPort)/", caFile: stack.caFile, credentials: stack.passwordCredentials)
        XCTAssertEqual(endpoint.tls, .startTLSRequired)
        var sawStartTLS = false
        let easy = try connect(endpoint) { event in
            if event.kind == .sent && event.text.uppercased().hasSuffix("STARTTLS") { sawStartTLS = true }
        }
        XCTAssertTrue(sawStartTLS, "STARTTLS was not sent")
        try assertNoopWorks(easy)
    }

    func testWrongCAIsACertificateError() throws {
        let stack = try MailStack.required()
        assertFails(try MailServerEndpoint(url: "imaps://\(stack.host):\(stack.imapsPort)/", caFile: stack.otherCAFile,
                                           credentials: stack.passwordCredentials), with: .tlsCertificate)
        assertFails(try MailServerEndpoint(url: "imap://\(stack.host):\(stack.imapPort)/", caFile: stack.otherCAFile,
                                           credentials: stack.passwordCredentials), with: .tlsCertificate)
    }

    /// Without a CA file the system store is read as a hashed directory, certificate by
    /// certificate as a chain needs it: a directory holding the stack's CA verifies the server,
    /// one without it (or the bundle alone) does not.
    func testSystemStoreIsReadAsAHashedDirectory() throws {
        let stack = try MailStack.required()
        let fileManager = FileManager.default
        let trusting = fileManager.temporaryDirectory.appendingPathComponent("tp-cadir-\(UUID().uuidString)")
        let empty = fileManager.temporaryDirectory.appendingPathComponent("tp-cadir-\(UUID().uuidString)")
        defer {
            try? fileManager.removeItem(at: trusting)
            try? fileManager.removeItem(at: empty)
        }
        try fileManager.createDirectory(at: trusting, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: empty, withIntermediateDirectories: true)
        let hash = try Self.subjectHash(ofCertificate: stack.caFile)
        try fileManager.copyItem(atPath: stack.caFile, toPath: trusting.appendingPathComponent("\(hash).0").path)

        var endpoint = try MailServerEndpoint(url: "imaps://\(stack.host):\(stack.imapsPort)/", credentials: stack.passwordCredentials)
        endpoint.systemCADirectory = trusting.path
        try assertNoopWorks(try connect(endpoint))
        endpoint.systemCADirectory = empty.path
        assertFails(endpoint, with: .tlsCertificate)
    }

    /// `openssl x509 -hash`: the file name OpenSSL looks a CA up by in a hashed directory.
    private static func subjectHash(ofCertificate path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["x509", "-hash", "-noout", "-in", path]
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch { throw XCTSkip("openssl not runnable: \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let hash = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, hash.count == 8 else { throw XCTSkip("openssl x509 -hash failed") }
        return hash
    }

    func testWrongHostNameIsACertificateError() throws {
        let stack = try MailStack.required()
        var endpoint = try MailServerEndpoint(
            url: "imaps://wrong.example:\(stack.imapsPort)/", caFile: stack.caFile, credentials: stack.passwordCredentials)
        endpoint.resolveOverrides = ["wrong.example:\(stack.imapsPort):\(stack.host)"]
        assertFails(endpoint, with: .tlsCertificate)
    }

    func testWrongPasswordIsLoginDenied() throws {
        let stack = try MailStack.required()
        let endpoint = try MailServerEndpoint(
            url: "imaps://\(stack.host):\(stack.imapsPort)/", caFile: stack.caFile,
            credentials: .password(user: stack.user, password: Secret(stack.password + "-wrong")))
        assertFails(endpoint, with: .loginDenied)
    }

    func testBearerTokenLogin() throws {
        let stack = try MailStack.required()
        for mechanism in [MailServerEndpoint.BearerMechanism.xoauth2, .oauthbearer] {
            let endpoint = try MailServerEndpoint(
                url: "imaps://\(stack.host):\(stack.imapsPort)/", caFile: stack.caFile,
                credentials: .bearer(user: stack.oauthUser, token: Secret(stack.oauthToken), mechanism: mechanism))
            var mechanismsSent: [String] = []
            let easy = try connect(endpoint) { event in
                if event.kind == .sent, event.text.contains("AUTHENTICATE") { mechanismsSent.append(event.text) }
            }
            XCTAssertTrue(mechanismsSent.contains { $0.contains(mechanism.rawValue) }, "\(mechanismsSent)")
            try assertNoopWorks(easy)
        }
    }

    func testVerboseTraceNeverContainsSecrets() throws {
        let stack = try MailStack.required()
        var trace: [CurlDebugEvent] = []
        let passwordEndpoint = try MailServerEndpoint(
            url: "imap://\(stack.host):\(stack.imapPort)/", caFile: stack.caFile, credentials: stack.passwordCredentials)
        _ = try connect(passwordEndpoint) { trace.append($0) }
        let tokenEndpoint = try MailServerEndpoint(
            url: "imaps://\(stack.host):\(stack.imapsPort)/", caFile: stack.caFile,
            credentials: .bearer(user: stack.oauthUser, token: Secret(stack.oauthToken), mechanism: .xoauth2))
        _ = try connect(tokenEndpoint) { trace.append($0) }

        let text = trace.map(\.description).joined(separator: "\n")
        // The trace is real: it shows the login happening.
        XCTAssertTrue(text.contains("AUTHENTICATE") || text.contains("LOGIN"), text)
        let plain = Data("\0\(stack.user)\0\(stack.password)".utf8).base64EncodedString()
        let plainWithAuthzid = Data("\(stack.user)\0\(stack.user)\0\(stack.password)".utf8).base64EncodedString()
        let xoauth2 = Data("user=\(stack.oauthUser)\u{1}auth=Bearer \(stack.oauthToken)\u{1}\u{1}".utf8)
            .base64EncodedString()
        for secret in [stack.password, stack.oauthToken, plain, plainWithAuthzid, xoauth2] {
            XCTAssertFalse(text.contains(secret), "trace leaks a secret")
        }
    }

    func testPlaintextServerRefusedBeforeCredentials() throws {
        let server = try FakeIMAPServer()
        let endpoint = try MailServerEndpoint(
            url: "imap://127.0.0.1:\(server.port)/", credentials: .password(user: "alice", password: Secret("pw")),
            connectTimeout: .seconds(5), responseTimeout: .seconds(5))
        XCTAssertEqual(endpoint.tls, .startTLSRequired)
        assertFails(endpoint, with: .tlsUnavailable)
        XCTAssertFalse(server.sawCredentials, "credentials sent in clear: \(server.linesAfterClose())")
        XCTAssertTrue(server.linesAfterClose().contains { $0.uppercased().hasSuffix("CAPABILITY") })
    }

    func testPlaintextLoginOnlyWhenExplicitlyAllowed() throws {
        // The fake server does record a plaintext login when the configuration asks for one,
        // so the refusal above is our client's doing, not the fake's blindness.
        let server = try FakeIMAPServer()
        let endpoint = try MailServerEndpoint(
            url: "imap://127.0.0.1:\(server.port)/", tls: MailServerEndpoint.TLSPolicy.none,
            credentials: .password(user: "alice", password: Secret("pw")),
            connectTimeout: .seconds(5), responseTimeout: .seconds(5))
        XCTAssertTrue(endpoint.sendsCredentialsInPlaintext)
        let easy = try connect(endpoint)
        try easy.sendAll(Array("a9 LOGOUT\r\n".utf8), timeout: .seconds(5))
        XCTAssertTrue(server.sawCredentials, "\(server.linesAfterClose())")
    }
}
