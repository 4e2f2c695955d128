import Curl
import Foundation
import StackTestSupport
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
        let value = StackEnvironment.value, port = StackEnvironment.port
        return Stack(host: try value("TP_IMAP_HOST"), imapPort: try port("TP_IMAP_PORT"), imapsPort: try port("TP_IMAPS_PORT"),
                     caFile: try value("TP_CA_FILE"), user: try value("TP_IMAP_USER"),
                     password: try value("TP_IMAP_PASSWORD"), script: try value("TP_STACK"))
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

    /// Runs `stack ARGS…`; throws on a non-zero exit.
    func run(_ arguments: [String]) throws { try runStack(arguments) }

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
