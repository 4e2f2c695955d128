import CRM
import Foundation

/// One purchases CSV row after validation.
struct PurchaseImportRow: Equatable {
    var line: Int
    /// Lower-cased, trimmed; nil when the row names the customer by `customer_id`.
    var customerEmail: String?
    var customerID: String?
    var purchasedAt: Date
    /// Decimal text as written (validated), so no binary rounding reaches `numeric`.
    var amount: String?
    var currency: String?
    var externalRef: String
}

public enum PurchaseImportError: Error, Sendable, CustomStringConvertible, Equatable {
    case emptyFile
    case missingColumn(String)
    case duplicateColumn(String)
    case malformedHeader(line: Int, reason: String)

    public var description: String {
        switch self {
        case .emptyFile: return "the CSV file has no header row"
        case .missingColumn(let name):
            return "the CSV header has no \(name) column (expected customer_email or customer_id, purchased_at, amount, currency, external_ref)"
        case .duplicateColumn(let name): return "the CSV header names the \(name) column twice"
        case .malformedHeader(let line, let reason): return "the CSV header (line \(line)) is malformed: \(reason)"
        }
    }
}

/// The header of a purchases CSV: which column holds what.
struct PurchaseImportHeader {
    enum Column: String, CaseIterable {
        case customerEmail = "customer_email", customerID = "customer_id", purchasedAt = "purchased_at"
        case amount, currency, externalRef = "external_ref"
    }

    var positions: [Column: Int] = [:]
    var unknown: [String] = []

    init(_ fields: [String]) throws(PurchaseImportError) {
        for (index, raw) in fields.enumerated() {
            let key = raw.trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            if let column = Column(rawValue: key) {
                if positions[column] != nil { throw .duplicateColumn(column.rawValue) }
                positions[column] = index
            } else {
                unknown.append(raw)
            }
        }
        if positions[.customerEmail] == nil && positions[.customerID] == nil {
            throw .missingColumn("customer_email (or customer_id)")
        }
        if positions[.purchasedAt] == nil { throw .missingColumn("purchased_at") }
        if positions[.externalRef] == nil { throw .missingColumn("external_ref") }
    }

    func field(_ column: Column, in fields: [String]) -> String? {
        guard let index = positions[column], index < fields.count else { return nil }
        let value = fields[index].trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}

enum PurchaseRowValidator {
    static let maximumFieldLength = 500

    static func validate(_ fields: [String], line: Int, header: PurchaseImportHeader,
                         timeZone: TimeZone) -> Result<PurchaseImportRow, PurchaseImportRejection> {
        func reject(_ reason: String) -> Result<PurchaseImportRow, PurchaseImportRejection> {
            .failure(PurchaseImportRejection(line: line, reason: reason))
        }
        if let long = fields.first(where: { $0.utf8.count > maximumFieldLength }) {
            return reject("a field is longer than \(maximumFieldLength) bytes (\(long.prefix(20))…)")
        }
        let email = header.field(.customerEmail, in: fields)?.lowercased()
        let customerID = header.field(.customerID, in: fields)
        guard email != nil || customerID != nil else { return reject("no customer_email or customer_id") }
        if let email, !(email.contains("@") && !email.hasPrefix("@") && !email.hasSuffix("@")) {
            return reject("customer_email \"\(email)\" is not an address")
        }
        guard let dateText = header.field(.purchasedAt, in: fields) else { return reject("purchased_at is empty") }
        guard let purchasedAt = PurchaseTimestamp.parse(dateText, timeZone: timeZone) else {
            return reject("purchased_at \"\(dateText)\" is not a date (YYYY-MM-DD) or an RFC 3339 timestamp")
        }
        guard let externalRef = header.field(.externalRef, in: fields) else { return reject("external_ref is empty") }
        let amount = header.field(.amount, in: fields)
        if let amount, !isDecimal(amount) {
            return reject("amount \"\(amount)\" is not a non-negative number with '.' as decimal separator")
        }
        let currency = header.field(.currency, in: fields)?.uppercased()
        if let currency, !(currency.utf8.count == 3 && currency.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 })) {
            return reject("currency \"\(currency)\" is not a three-letter ISO 4217 code")
        }
        if amount != nil && currency == nil { return reject("amount without currency") }
        return .success(PurchaseImportRow(line: line, customerEmail: email, customerID: email == nil ? customerID : nil,
                                          purchasedAt: purchasedAt, amount: amount, currency: currency,
                                          externalRef: externalRef))
    }

    /// `123`, `123.4`, `0.50`: digits, at most one dot, at most 4 decimals (the column's scale).
    static func isDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 14,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        if parts.count == 2 {
            let fraction = parts[1]
            return !fraction.isEmpty && fraction.count <= 4 && fraction.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return true
    }
}

/// `YYYY-MM-DD` (midnight in the company's time zone) or RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
enum PurchaseTimestamp {
    static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, let day = PurchaseDay(parsing: Substring(String(decoding: bytes[0..<10], as: UTF8.self)))
        else { return nil }
        if bytes.count == 10 { return day.start(in: timeZone) }
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19]),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - start < 9 { index += 1 }
            guard index > start, let value = Double("0." + String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
            fraction = value
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let h = number(bytes[(index + 1)..<(index + 3)]), let m = number(bytes[(index + 4)..<(index + 6)]),
                  h < 24, m < 60 else { return nil }
            offsetSeconds = (h * 3600 + m * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let seconds = Double(day.daysSinceEpoch) * 86_400 + Double(hour * 3600 + minute * 60 + min(second, 59))
            + fraction - Double(offsetSeconds)
        return Date(timeIntervalSince1970: seconds)
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }
}

extension PurchaseDay {
    /// Local midnight of this day in `timeZone` (the zone's offset at that moment; on a day whose
    /// midnight is skipped by a DST change this is the first instant of the day).
    func start(in timeZone: TimeZone) -> Date {
        let utcMidnight = Double(daysSinceEpoch) * 86_400
        let guess = utcMidnight - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: utcMidnight)))
        let corrected = utcMidnight - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: guess)))
        return Date(timeIntervalSince1970: PurchaseDay(date: Date(timeIntervalSince1970: corrected), timeZone: timeZone) == self
                    ? corrected : guess)
    }
}
