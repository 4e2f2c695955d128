import CivilCalendar
import Foundation

/// A calendar day, counted from 1970-01-01 (proleptic Gregorian).
///
/// The model works on purchase *days*, not instants: several purchases on one day count once, and the
/// day a purchase belongs to is decided by the caller (usually in the company's time zone).
public struct PurchaseDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let daysSinceEpoch: Int

    public init(daysSinceEpoch: Int) { self.daysSinceEpoch = daysSinceEpoch }

    /// Nil unless `year-month-day` is a real day. Pure integer arithmetic, so the day does not
    /// depend on a calendar or time zone.
    public init?(year: Int, month: Int, day: Int) {
        guard CivilCalendar.isValid(year: year, month: month, day: day) else { return nil }
        daysSinceEpoch = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
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

    public var civil: (year: Int, month: Int, day: Int) { CivilCalendar.date(daysSinceEpoch: daysSinceEpoch) }

    public func adding(days: Int) -> PurchaseDay { PurchaseDay(daysSinceEpoch: daysSinceEpoch + days) }

    public static func < (lhs: PurchaseDay, rhs: PurchaseDay) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }
    public static func - (lhs: PurchaseDay, rhs: PurchaseDay) -> Int { lhs.daysSinceEpoch - rhs.daysSinceEpoch }

    public var description: String {
        let (y, m, d) = civil
        let pad: (Int) -> String = { $0 < 10 ? "0\($0)" : "\($0)" }
        return "\(y)-\(pad(m))-\(pad(d))"
    }
}
