import Curl
import StackTestSupport
import XCTest

/// The stack's environment (deploy/local/stack). Integration tests skip visibly without it.
struct MailStack {
    let host: String
    let imapPort: Int
    let imapsPort: Int
    let caFile: String
    let otherCAFile: String
    let user: String
    let password: String
    let oauthUser: String
    let oauthToken: String

    static func required() throws -> MailStack {
        let value = StackEnvironment.value, port = StackEnvironment.port
        return MailStack(
            host: try value("TP_IMAP_HOST"), imapPort: try port("TP_IMAP_PORT"), imapsPort: try port("TP_IMAPS_PORT"),
            caFile: try value("TP_CA_FILE"), otherCAFile: try value("TP_OTHER_CA_FILE"),
            user: try value("TP_IMAP_USER"), password: try value("TP_IMAP_PASSWORD"),
            oauthUser: try value("TP_IMAP_OAUTH_USER"), oauthToken: try value("TP_IMAP_OAUTH_TOKEN"))
    }

    var passwordCredentials: MailServerEndpoint.Credentials {
        .password(user: user, password: Secret(password))
    }
}

extension CurlEasy {
    /// Reads until a line starting with `prefix` arrives; returns everything read. Test helper:
    /// bounded by `timeout` per wait and by a total byte cap.
    func readUntilLine(startingWith prefix: String, timeout: Duration = .seconds(10)) throws -> String {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while collected.count < 1 << 20 {
            let text = String(decoding: collected, as: UTF8.self)
            if text.split(separator: "\r\n").contains(where: { $0.hasPrefix(prefix) }) { return text }
            let result = try buffer.withUnsafeMutableBytes { try receive(into: $0) }
            switch result {
            case .transferred(let count):
                collected += buffer[..<count]
            case .wouldBlock:
                guard try wait(for: .readable, timeout: timeout) else {
                    throw CurlError(refused: .timeout, operation: "test read", detail: text)
                }
            case .closed:
                throw CurlError(refused: .recvFailed, operation: "test read", detail: "closed after: \(text)")
            }
        }
        throw CurlError(refused: .other, operation: "test read", detail: "too much data")
    }
}
