import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A scripted IMAP server on 127.0.0.1 for failures Dovecot will not produce on demand:
/// it logs the client in (plaintext: the test endpoint says `tls = none`), then stalls or
/// drops the connection in the middle of a FETCH response. Serves one connection.
final class LoopbackIMAPServer: Sendable {
    enum Behaviour: Sendable {
        /// Greets, then never answers again.
        case stallAfterGreeting
        /// Logs in and answers EXAMINE, then never answers again.
        case stallAfterLogin
        /// Logs in, answers EXAMINE, then sends half a FETCH response and closes.
        case closeMidFetch
    }

    let port: Int
    private let listener: Int32

    init(_ behaviour: Behaviour) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 1) == 0 else { close(listener); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        let thread = Thread { Self.serve(listener: listener, behaviour) }
        thread.start()
    }

    /// Stops accepting; the serving thread ends when its client disconnects.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(listener: Int32, _ behaviour: Behaviour) {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }
        defer { close(client) }
        func write(_ text: String) {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        write("* OK IMAP4rev1 test server ready\r\n")
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var stalled = behaviour == .stallAfterGreeting
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return }
            pending += buffer[0..<count]
            while let lineFeed = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<lineFeed], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                pending.removeSubrange(...lineFeed)
                if stalled { continue }
                let tag = line.split(separator: " ").first.map(String.init) ?? "*"
                let upper = line.uppercased()
                if upper.contains(" CAPABILITY") {
                    write("* CAPABILITY IMAP4rev1\r\n\(tag) OK done\r\n")
                } else if upper.contains(" LOGIN ") {
                    write("\(tag) OK logged in\r\n")
                } else if upper.contains(" EXAMINE ") {
                    write("* 1 EXISTS\r\n* OK [UIDVALIDITY 9] x\r\n* OK [UIDNEXT 2] x\r\n\(tag) OK [READ-ONLY] done\r\n")
                    if behaviour == .stallAfterLogin { stalled = true }
                } else if upper.contains(" UID FETCH ") && behaviour == .closeMidFetch {
                    write("* 1 FETCH (UID 1 RFC822.SIZE 900 BODY[HEADER] {500}\r\nSubject: cut off in the midd")
                    return
                } else {
                    write("\(tag) BAD unexpected\r\n")
                }
            }
        }
    }
}
