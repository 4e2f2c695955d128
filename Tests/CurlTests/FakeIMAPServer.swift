import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-connection loopback IMAP server that offers no STARTTLS and records whether the client
/// ever sent credentials. Dovecot treats loopback as secure and accepts plaintext logins
/// (DESIGN §3), so "no credentials without TLS" can only be proven against a server like this.
///
/// `@unchecked Sendable`: the server thread and the test share `lines` only under `lock`;
/// `listener` and `port` are set in `init` and never change.
final class FakeIMAPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private let finished = DispatchSemaphore(value: 0)
    private let stall: Bool

    /// - Parameter stall: accept the connection but never send a greeting (a hung server).
    init(stall: Bool = false) throws {
        self.stall = stall
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 1) == 0
                    && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else { close(listener); throw POSIXError(.EADDRNOTAVAIL) }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serveOneConnection() }
        thread.start()
    }

    /// Every line the client sent, after the connection ended (waits up to 15 s).
    func linesAfterClose() -> [String] {
        // Wait once, then hand the semaphore's signal back so later calls return at once.
        if finished.wait(timeout: .now() + 15) == .success { finished.signal() }
        return lock.withLock { received }
    }

    var sawCredentials: Bool {
        linesAfterClose().contains { line in
            let upper = line.uppercased()
            return upper.contains(" LOGIN ") || upper.contains(" AUTHENTICATE ")
        }
    }

    private func serveOneConnection() {
        defer { close(listener); finished.signal() }
        var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 15_000) == 1 else { return }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        func reply(_ text: String) { _ = text.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

        if stall {
            // Hold the connection open, silent, until the client gives up and closes it.
            var readable = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            _ = poll(&readable, 1, 15_000)
            return
        }
        reply("* OK IMAP4rev1 fake server ready\r\n")
        var pending: [UInt8] = []
        var saslTag: String?
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var readable = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 15_000) == 1 else { return }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                    .trimmingCharacters(in: .newlines)
                pending.removeSubrange(...newline)
                lock.withLock { received.append(line) }
                if let tag = saslTag {
                    saslTag = nil
                    reply("\(tag) OK logged in\r\n")
                    continue
                }
                let words = line.split(separator: " ")
                guard words.count >= 2 else { continue }
                let tag = String(words[0])
                switch words[1].uppercased() {
                case "CAPABILITY":
                    reply("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n\(tag) OK done\r\n")
                case "AUTHENTICATE" where words.count == 3:
                    saslTag = tag
                    reply("+ \r\n")
                case "LOGOUT":
                    reply("* BYE\r\n\(tag) OK bye\r\n")
                    return
                default:
                    reply("\(tag) OK done\r\n")
                }
            }
        }
    }
}
