import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-connection loopback SMTP server without STARTTLS that records every line the client
/// sends — the proof that no credentials leave without TLS, whatever a real server would accept.
/// With `stall: true` it accepts the connection and never greets (a server that hangs).
///
/// `@unchecked Sendable`: the server thread and the test share `received` only under `lock`;
/// the other stored properties are set in `init` and never change.
final class FakeSMTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let stall: Bool
    private let mailFromReply: String
    private let messageReply: String
    private let dropAfterData: Bool
    private let lock = NSLock()
    private var received: [String] = []
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - mailFromReply: the reply to MAIL FROM.
    ///   - messageReply: the reply to the end of DATA (the verdict on the message).
    ///   - dropAfterData: close the connection after the message instead of giving a verdict.
    init(stall: Bool = false, mailFromReply: String = "250 ok", messageReply: String = "250 queued",
         dropAfterData: Bool = false) throws {
        self.dropAfterData = dropAfterData
        self.mailFromReply = mailFromReply
        self.messageReply = messageReply
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(listener, raw, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, raw, &length) == 0
            }
        }
        guard bound else { close(listener); throw POSIXError(.EADDRNOTAVAIL) }
        self.listener = listener
        self.stall = stall
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in serveOneConnection() }.start()
    }

    /// Every line the client sent, once the connection has ended (waits up to 20 s).
    func linesAfterClose() -> [String] {
        if finished.wait(timeout: .now() + 20) == .success { finished.signal() }
        return lock.withLock { received }
    }

    private func serveOneConnection() {
        defer { close(listener); finished.signal() }
        var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 20_000) == 1 else { return }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        func reply(_ text: String) { _ = text.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

        if !stall { reply("220 fake ESMTP\r\n") }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var inData = false
        var awaitingSASLResponse = false
        while true {
            var readable = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&readable, 1, 20_000) == 1 else { return }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self).trimmingCharacters(in: .newlines)
                pending.removeSubrange(...newline)
                lock.withLock { received.append(line) }
                if stall { continue }
                if inData {
                    if line == "." {
                        inData = false
                        if dropAfterData { return }
                        reply(messageReply + "\r\n")
                    }
                    continue
                }
                if awaitingSASLResponse {
                    awaitingSASLResponse = false
                    reply("235 ok\r\n")
                    continue
                }
                let verb = line.prefix(4).uppercased()
                switch verb {
                case "EHLO": reply("250-fake\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000000\r\n")
                case "AUTH" where line.split(separator: " ").count == 2:
                    awaitingSASLResponse = true
                    reply("334 \r\n")
                case "AUTH": reply("235 ok\r\n")
                case "DATA": inData = true; reply("354 go ahead\r\n")
                case "QUIT": reply("221 bye\r\n"); return
                case "MAIL": reply(mailFromReply + "\r\n")
                default: reply("250 ok\r\n")
                }
            }
        }
    }
}
