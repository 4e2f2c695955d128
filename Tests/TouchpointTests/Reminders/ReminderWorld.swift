import CRM
import Foundation
import Postgres
import StackTestSupport
import XCTest
@testable import Touchpoint

/// The demo world (fixtures/demo) in a fresh database, and what the fixtures say about it.
final class ReminderWorld {
    static var demo: URL { TestStack.repositoryRoot.appendingPathComponent("fixtures/demo") }
    static let timeZone = TimeZone(identifier: "Europe/Budapest")!

    let database: StoreTestDatabase
    let connection: PostgresConnection

    init() throws {
        database = try StoreTestDatabase()
        connection = try database.migrated()
    }

    deinit { database.drop() }

    func importDemo() throws {
        let contacts = try [UInt8](Data(contentsOf: Self.demo.appendingPathComponent("contacts.csv")))
        let purchases = try [UInt8](Data(contentsOf: Self.demo.appendingPathComponent("purchases.csv")))
        _ = try ContactImporter(connection).run(contacts)
        let summary = try PurchaseImporter(connection, timeZone: Self.timeZone).run(purchases)
        XCTAssertEqual(summary.inserted, 486)
        XCTAssertEqual(summary.rejected, [])
    }

    // MARK: - The fixtures' ground truth

    struct Contact {
        var name: String
        var email: String
        var owner: String
    }

    /// Primary address → contact, from contacts.csv.
    static func contacts() throws -> [String: Contact] {
        var reader = CSVReader(try [UInt8](Data(contentsOf: demo.appendingPathComponent("contacts.csv"))))
        _ = reader.next()
        var contacts: [String: Contact] = [:]
        while case .success(let record)? = reader.next() {
            let email = String(record.fields[1].split(separator: ";")[0]).lowercased()
            contacts[email] = Contact(name: record.fields[0], email: email, owner: record.fields[4].lowercased())
        }
        return contacts
    }

    /// Purchase days per customer (local days in the company's zone), from purchases.csv.
    static func purchaseDays() throws -> [String: [PurchaseDay]] {
        var reader = CSVReader(try [UInt8](Data(contentsOf: demo.appendingPathComponent("purchases.csv"))))
        _ = reader.next()
        var days: [String: Set<PurchaseDay>] = [:]
        while case .success(let record)? = reader.next() {
            let instant = PurchaseTimestamp.parse(record.fields[1], timeZone: timeZone)!
            days[record.fields[0].lowercased(), default: []].insert(PurchaseDay(date: instant, timeZone: timeZone))
        }
        return days.mapValues { $0.sorted() }
    }

    static func rhythms() throws -> [String: String] {
        var reader = CSVReader(try [UInt8](Data(contentsOf: demo.appendingPathComponent("purchase-rhythms.csv"))))
        _ = reader.next()
        var rhythms: [String: String] = [:]
        while case .success(let record)? = reader.next() { rhythms[record.fields[0].lowercased()] = record.fields[1] }
        return rhythms
    }

    /// The reminders the default policy must produce on `today`, derived from the generator's rhythms
    /// and the purchase dates alone (not from the model):
    /// - `one-time` buyers → first-repeat once 45 days (first-repeat-after) have passed since the purchase;
    /// - `lapsed` customers → win-back while their silence is at most 14 of their own mean intervals
    ///   (beyond that P(alive) falls under 1 %: "surely gone", no reminder);
    /// - regular customers (weekly, biweekly, monthly, quarterly) → due once the time since the last
    ///   purchase exceeds 1.75 mean intervals (a Poisson buyer would have re-ordered with ≥ 80 %
    ///   probability after 1.6 intervals; 1.75 leaves room for the model's shrinkage).
    /// Returns primary address → kind.
    static func expectedReminders(on today: PurchaseDay) throws -> [String: ReminderKind] {
        let rhythms = try rhythms()
        var expected: [String: ReminderKind] = [:]
        for (email, allDays) in try purchaseDays() {
            let days = allDays.filter { $0 <= today }
            guard let first = days.first, let last = days.last, let rhythm = rhythms[email] else { continue }
            let since = Double(today - last)
            if days.count == 1 {
                if since >= 45 { expected[email] = .firstRepeat }
                continue
            }
            let interval = Double(last - first) / Double(days.count - 1)
            if rhythm == "lapsed" {
                if since <= 14 * interval { expected[email] = .winBack }
            } else if since > 1.75 * interval {
                expected[email] = .due
            }
        }
        return expected
    }
}

/// The stack's SMTP sink seen from a test: its settings and the messages it spooled.
struct SMTPSink {
    let port: String
    let user: String
    let password: String
    let caFile: String
    let spool: URL

    init() throws {
        port = String(try StackEnvironment.port("TP_SMTP_PORT"))
        user = try StackEnvironment.value("TP_SMTP_USER")
        password = try StackEnvironment.value("TP_SMTP_PASSWORD")
        caFile = try StackEnvironment.value("TP_CA_FILE")
        spool = URL(fileURLWithPath: try StackEnvironment.value("TP_SMTP_SPOOL"))
    }

    struct Spooled {
        var recipients: [String]
        var bytes: [UInt8]
    }

    /// Names of the complete messages (their .json exists).
    func stems() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: spool.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) })
    }

    func messages(_ stems: Set<String>) throws -> [Spooled] {
        try stems.sorted().map { stem in
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: spool.appendingPathComponent(stem + ".json")))
            let recipients = ((json as? [String: Any])?["rcpt_tos"] as? [String]) ?? []
            return Spooled(recipients: recipients.map { $0.lowercased() },
                           bytes: try [UInt8](Data(contentsOf: spool.appendingPathComponent(stem + ".eml"))))
        }
    }

    /// A config for the demo world pointing at this sink (or at `port` when given, e.g. a closed one).
    func config(databaseURL: String, port overridePort: String? = nil, directory: URL) throws -> Config {
        let secret = directory.appendingPathComponent("smtp.secret")
        try Data(password.utf8).write(to: secret)
        let text = """
            [database]
            url = \(databaseURL)

            [company]
            domains = acme-trading.example, acme.example
            timezone = Europe/Budapest

            [smtp]
            url = smtp://127.0.0.1:\(overridePort ?? port)
            starttls = required
            ca-file = \(caFile)
            user = \(user)
            password-file = \(secret.path)
            from = Touchpoint <touchpoint@acme-trading.example>
            timeout = 10s

            [reminders]
            schedule = 08:00
            default-owner = office@acme-trading.example
            """
        let path = directory.appendingPathComponent(overridePort == nil ? "touchpoint.conf" : "touchpoint-\(overridePort!).conf").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try Config.parse(path: path, text: text)
    }
}
