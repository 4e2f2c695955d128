import Curl
import Foundation
import StackTestSupport
import XCTest
@testable import SMTP

/// The stack's SMTP sink (deploy/local/stack). Integration tests skip visibly without it.
struct SMTPStack {
    let host: String
    let starttlsPort: Int
    let smtpsPort: Int
    let plainPort: Int
    let user: String
    let password: String
    let caFile: String
    let spool: URL

    static func required() throws -> SMTPStack {
        let value = StackEnvironment.value, port = StackEnvironment.port
        return SMTPStack(
            host: try value("TP_SMTP_HOST"), starttlsPort: try port("TP_SMTP_PORT"), smtpsPort: try port("TP_SMTPS_PORT"),
            plainPort: try port("TP_SMTP_PLAIN_PORT"), user: try value("TP_SMTP_USER"),
            password: try value("TP_SMTP_PASSWORD"), caFile: try value("TP_CA_FILE"),
            spool: URL(fileURLWithPath: try value("TP_SMTP_SPOOL")))
    }

    func endpoint(scheme: String = "smtp", port: Int? = nil, tls: MailServerEndpoint.TLSPolicy? = nil,
                  password: String? = nil) throws -> MailServerEndpoint {
        try MailServerEndpoint(
            url: "\(scheme)://\(host):\(port ?? (scheme == "smtps" ? smtpsPort : starttlsPort))", tls: tls,
            caFile: caFile, credentials: .password(user: user, password: Secret(password ?? self.password)),
            connectTimeout: .seconds(10), responseTimeout: .seconds(10))
    }

    /// The spooled message whose bytes contain `token`, with its envelope metadata.
    func spooled(containing token: String) throws -> (eml: [UInt8], mailFrom: String, rcptTos: [String])? {
        let names = try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".json") }
        for name in names.sorted() {
            let stem = String(name.dropLast(".json".count))
            let eml = try Data(contentsOf: spool.appendingPathComponent(stem + ".eml"))
            guard eml.range(of: Data(token.utf8)) != nil else { continue }
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: spool.appendingPathComponent(name)))
            let object = try XCTUnwrap(json as? [String: Any])
            return ([UInt8](eml), object["mail_from"] as? String ?? "", object["rcpt_tos"] as? [String] ?? [])
        }
        return nil
    }

    func spooledCount() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: spool.path).filter { $0.hasSuffix(".json") }.count
    }
}

/// A message with CRLF line ends, a unique token, 8-bit UTF-8 and lines that need dot-stuffing.
func testMessage(token: String, subject: String = "Reminder") -> [UInt8] {
    let text = [
        "From: Touchpoint <touchpoint@example.com>",
        "To: Alice <alice@example.com>",
        "Subject: \(subject)",
        "Message-ID: <\(token)@touchpoint.test>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "Token \(token)",
        ".",
        ".leading dot line",
        "..two dots",
        "Árvíztűrő tükörfúrógép ✓",
        "",
    ].joined(separator: "\r\n")
    return Array(text.utf8)
}

func uniqueToken() -> String { "tp-" + UUID().uuidString.lowercased() }
