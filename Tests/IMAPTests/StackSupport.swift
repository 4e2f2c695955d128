import Curl
import Foundation
import XCTest
@testable import IMAP

/// The local service stack's settings (deploy/local/stack writes them to an env file).
struct Stack {
    let host: String
    let imapPort: Int
    let imapsPort: Int
    let caFile: String
    let user: String
    let password: String
    let script: String

    static func require() throws -> Stack {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["TP_IMAP_HOST"], let imapPort = env["TP_IMAP_PORT"].flatMap(Int.init),
              let imapsPort = env["TP_IMAPS_PORT"].flatMap(Int.init), let caFile = env["TP_CA_FILE"],
              let user = env["TP_IMAP_USER"], let password = env["TP_IMAP_PASSWORD"], let script = env["TP_STACK"] else {
            throw XCTSkip("TP_IMAP_HOST/TP_IMAPS_PORT/TP_CA_FILE/TP_IMAP_USER/TP_STACK not set: run deploy/local/test")
        }
        return Stack(host: host, imapPort: imapPort, imapsPort: imapsPort, caFile: caFile, user: user,
                     password: password, script: script)
    }

    func endpoint(startTLS: Bool = false) throws -> MailServerEndpoint {
        let url = startTLS ? "imap://\(host):\(imapPort)/" : "imaps://\(host):\(imapsPort)/"
        return try MailServerEndpoint(url: url, caFile: caFile,
                                      credentials: .password(user: user, password: Secret(password)),
                                      connectTimeout: .seconds(10), responseTimeout: .seconds(10))
    }

    func connect(_ options: IMAPSessionOptions = IMAPSessionOptions(commandTimeout: .seconds(30)),
                 startTLS: Bool = false) throws -> IMAPSession {
        try IMAPSession.connect(to: try endpoint(startTLS: startTLS), options: options)
    }

    /// Runs `stack ARGS…` and fails the test on a non-zero exit. Uses system(3): Foundation's
    /// Process on Linux can miss the exit of a child whose daemon keeps inherited descriptors.
    func run(_ arguments: [String]) throws {
        let quoted = ([script] + arguments).map { "'" + $0.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'" }
        let status = system(quoted.joined(separator: " ") + " >/dev/null 2>&1 </dev/null")
        guard status == 0 else { throw StackCommandFailed(arguments: arguments, output: "exit status \(status)") }
    }

    /// A fresh folder (unique per call) holding the given messages, UIDs 1…n in order.
    func folder(with messages: [[UInt8]], label: String) throws -> MailboxName {
        let name = "T-\(label)-\(UUID().uuidString.prefix(8))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, message) in messages.enumerated() {
            let file = directory.appendingPathComponent(String(format: "%08d.eml", index))
            try Data(message).write(to: file)
        }
        try run(["load-mail", user, name, directory.path])
        return MailboxName(name)
    }
}

struct StackCommandFailed: Error, CustomStringConvertible {
    let arguments: [String]
    let output: String
    var description: String { "stack \(arguments.joined(separator: " ")) failed: \(output)" }
}

/// A plain RFC 5322 message with CRLF line ends.
func message(subject: String, body: String, extraHeaders: String = "") -> [UInt8] {
    bytes("From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: \(subject)\r\n"
        + "Message-ID: <\(UUID().uuidString)@example.com>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
        + extraHeaders + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body)
}

/// Wraps a transport to count bytes and run a hook on the first receive after `arm()`.
final class ObservedTransport: IMAPTransport {
    let inner: any IMAPTransport
    private(set) var received = 0
    private var hook: (() -> Void)?

    init(_ inner: any IMAPTransport) { self.inner = inner }

    func arm(_ hook: @escaping () -> Void) { self.hook = hook }

    func send(_ bytes: [UInt8], timeout: Duration) throws { try inner.send(bytes, timeout: timeout) }

    func receive(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws -> IMAPTransportReceipt {
        let receipt = try inner.receive(into: buffer, timeout: timeout)
        if case .received(let count) = receipt {
            received += count
            if let hook {
                self.hook = nil
                hook()
            }
        }
        return receipt
    }

    func close() { inner.close() }
}
