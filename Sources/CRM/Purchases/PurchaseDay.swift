import Foundation

/// A calendar day, counted from 1970-01-01 (proleptic Gregorian).
///
/// The model works on purchase *days*, not instants: several purchases on one day count once, and the
/// day a purchase belongs to is decided by the caller (usually in the company's time zone).
public struct PurchaseDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// Civil date to day number (Howard Hinnant's days_from_civil), pure integer arithmetic so the
    /// result does not depend on a calendar or time zone.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day), day <= PurchaseDay.daysIn(year: year, month: month)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        daysSinceEpoch = era * 146_097 + dayOfEra - 719_468
    }

    /// The day containing `date` in `timeZone`.
    public init(date: Date, timeZone: TimeZone) {
        let seconds = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        daysSinceEpoch = Int((seconds / 86_400).rounded(.down))
    }

    /// Parses `YYYYMMDD` or `YYYY-MM-DD`.
    public init?(parsing text: Substring) {
        let digits = text.filter { $0 != "-" }
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              text.count == 8 || (text.count == 10 && text.dropFirst(4).first == "-" && text.dropFirst(7).first == "-"),
              let value = Int(digits)
        else { return nil }
        self.init(year: value / 10_000, month: value / 100 % 100, day: value % 100)
    }

    public var civil: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public func adding(days: Int) -> PurchaseDay { PurchaseDay(daysSinceEpoch: daysSinceEpoch + days) }

    public static func < (lhs: PurchaseDay, rhs: PurchaseDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
    public static func - (lhs: PurchaseDay, rhs: PurchaseDay) -> Int { lhs.daysSinceEpoch - rhs.daysSinceEpoch }

    public var description: String {
        let (y, m, d) = civil
        let pad: (Int) -> String = { $0 < 10 ? "0\($0)" : "\($0)" }
        return "\(y)-\(pad(m))-\(pad(d))"
    }

    private static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
