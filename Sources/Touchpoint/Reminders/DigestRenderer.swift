import CRM
import Foundation
import MIME

/// One line of an owner's digest.
public struct DigestEntry: Sendable, Hashable {
    public var customerName: String
    public var customerEmail: String?
    public var account: String?
    public var kind: ReminderKind
    public var lastPurchase: PurchaseDay
    public var typicalIntervalDays: Double?
    public var lastContact: PurchaseDay?
    public var reason: String
    public var pAlive: Double
    /// Shown so the rep can `touchpoint reminders ack ID`; nil before the reminder is stored.
    public var reminderID: Int64?

    public init(customerName: String, customerEmail: String?, account: String?, kind: ReminderKind, lastPurchase: PurchaseDay,
                typicalIntervalDays: Double?, lastContact: PurchaseDay?, reason: String, pAlive: Double,
                reminderID: Int64? = nil) {
        self.customerName = customerName
        self.customerEmail = customerEmail
        self.account = account
        self.kind = kind
        self.lastPurchase = lastPurchase
        self.typicalIntervalDays = typicalIntervalDays
        self.lastContact = lastContact
        self.reason = reason
        self.pAlive = pAlive
        self.reminderID = reminderID
    }
}

/// The owner's daily digest: subject, plain text and an HTML table. Pure; every value that came
/// from the database is escaped for HTML.
public enum DigestRenderer {
    public struct Rendered: Sendable, Equatable {
        public var subject: String
        public var text: String
        public var html: String
    }

    public static func render(_ entries: [DigestEntry], today: PurchaseDay) -> Rendered {
        let count = entries.count
        var subject = "\(count) customer\(count == 1 ? "" : "s") to call today"
        if let first = entries.first {
            subject += ": \(first.customerName)" + (count > 1 ? " and \(count - 1) more" : "")
        }
        var text = "Customers to call today (\(today)), most valuable first:\n\n"
        for (index, entry) in entries.enumerated() {
            text += "\(index + 1). \(entry.customerName)"
            if let account = entry.account { text += " (\(account))" }
            if let email = entry.customerEmail { text += " <\(email)>" }
            text += "\n   \(label(entry.kind)): \(entry.reason)\n"
            text += "   Last purchase: \(entry.lastPurchase) (\(ReasonText.ago(days: today - entry.lastPurchase)))"
            text += "; typical interval: \(interval(entry))"
            text += "; last contact: \(lastContact(entry, today: today))\n"
            text += "   \(likelihood(entry.pAlive).capitalizedFirst)"
            text += entry.reminderID.map { " (reminder \($0))\n\n" } ?? "\n\n"
        }
        text += "Acknowledge with `touchpoint reminders ack ID` or see `touchpoint reminders list`.\n"

        var html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(escape(subject))</title></head><body>
            <p>Customers to call today (\(today)), most valuable first:</p>
            <table border="1" cellpadding="4" cellspacing="0">
            <tr><th>Customer</th><th>Account</th><th>Last purchase</th><th>Typical interval</th><th>Last contact</th><th>Why</th><th>Still active?</th><th>Reminder</th></tr>

            """
        for entry in entries {
            var customer = escape(entry.customerName)
            if let email = entry.customerEmail {
                customer += "<br><a href=\"mailto:\(escape(email))\">\(escape(email))</a>"
            }
            html += "<tr><td>\(customer)</td><td>\(escape(entry.account ?? ""))</td>"
            html += "<td>\(entry.lastPurchase) (\(escape(ReasonText.ago(days: today - entry.lastPurchase))))</td>"
            html += "<td>\(escape(interval(entry)))</td><td>\(escape(lastContact(entry, today: today)))</td>"
            html += "<td>\(escape(label(entry.kind))): \(escape(entry.reason))</td><td>\(escape(likelihood(entry.pAlive)))</td>"
            html += "<td>\(entry.reminderID.map(String.init) ?? "")</td></tr>\n"
        }
        html += "</table>\n</body></html>\n"
        return Rendered(subject: subject, text: text, html: html)
    }

    /// P(alive) in words a rep reads at a glance.
    public static func likelihood(_ pAlive: Double) -> String {
        switch pAlive {
        case 0.9...: return "very likely still active"
        case 0.7..<0.9: return "likely still active"
        case 0.5..<0.7: return "probably still active"
        case 0.25..<0.5: return "may have stopped buying"
        case 0.1..<0.25: return "probably lapsed"
        default: return "very likely lapsed"
        }
    }

    static func label(_ kind: ReminderKind) -> String {
        switch kind {
        case .due: return "Due"
        case .winBack: return "Win back"
        case .firstRepeat: return "Second order"
        }
    }

    static func interval(_ entry: DigestEntry) -> String {
        entry.typicalIntervalDays.map { ReasonText.interval(days: $0) } ?? "one purchase so far"
    }

    static func lastContact(_ entry: DigestEntry, today: PurchaseDay) -> String {
        guard let day = entry.lastContact else { return "no emails on record" }
        return "\(day) (\(ReasonText.ago(days: today - day)))"
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
