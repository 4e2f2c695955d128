import Foundation
import XCTest

/// Generates a mailbox's worth of small, realistic messages between a rep and customers, for
/// tests that need thousands of messages with a known interaction log.
struct SyntheticMailbox {
    let directory: URL
    let customers: Int

    /// Writes `count` messages as NNNNNN.eml; message i is from customer (i % customers) to the rep,
    /// every 7th is a reply from the rep, every 11th is a newsletter (skipped as automated).
    static func write(count: Int, customers: Int = 40, to directory: URL, seed: String = "s") throws -> SyntheticMailbox {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for i in 1...count {
            let customer = i % customers
            let id = "<\(seed)-\(i)@synthetic.example>"
            var headers: String
            if i % 11 == 0 {
                headers = "From: News <news@lists.example.org>\r\nTo: rep@acme.example\r\nList-Id: <news.lists.example.org>\r\n"
            } else if i % 7 == 0 {
                headers = "From: Rep <rep@acme.example>\r\nTo: Customer \(customer) <c\(customer)@customer\(customer % 5).example>\r\n"
            } else {
                headers = "From: =?utf-8?B?\(Data("Ügyfél \(customer)".utf8).base64EncodedString())?= <c\(customer)@customer\(customer % 5).example>\r\nTo: rep@acme.example\r\n"
            }
            headers += "Subject: Order \(i)\r\nMessage-ID: \(id)\r\nDate: Mon, 2 Nov 2026 10:\(String(format: "%02d", i % 60)):00 +0000\r\n"
            let body = "Content-Type: text/plain; charset=utf-8\r\n\r\nHello, please ship order \(i).\r\n"
            try Data((headers + body).utf8).write(to: directory.appendingPathComponent(String(format: "%06d.eml", i)))
        }
        return SyntheticMailbox(directory: directory, customers: customers)
    }

    /// A contacts CSV matching the synthetic customers (one contact each, five accounts).
    func contactsCSV() -> String {
        var csv = "name,email,account,account_domains,owner_email\n"
        for customer in 0..<customers {
            csv += "Customer \(customer),c\(customer)@customer\(customer % 5).example,Customer \(customer % 5) Ltd,customer\(customer % 5).example,rep@acme.example\n"
        }
        return csv
    }
}

extension SyntheticMailbox {
    /// The interaction log a correct sync produces, as `message_id direction contact_email` lines, sorted.
    static func expectedLog(count: Int, customers: Int = 40, seed: String) -> [String] {
        (1...count).compactMap { i -> String? in
            guard i % 11 != 0 else { return nil }
            let customer = i % customers
            let direction = i % 7 == 0 ? "outbound" : "inbound"
            return "\(seed)-\(i)@synthetic.example \(direction) c\(customer)@customer\(customer % 5).example"
        }.sorted()
    }
}
