/// Day arithmetic of the proleptic Gregorian calendar in pure integers: no `Calendar`, no time
/// zone, no allocation. The mail date parsers, the PostgreSQL timestamp codec and the purchase
/// model all convert between civil dates and day numbers on hot paths, and must agree exactly.
///
/// Day numbers count from 1970-01-01 (day 0); the conversions are Howard Hinnant's
/// `days_from_civil` / `civil_from_days`, exact for every year an `Int` can hold a day of.
public enum CivilCalendar {
    /// The day number of `year-month-day`. `month` must be 1...12; `day` is not range-checked
    /// (day 0 or 32 lands on the neighbouring month), see `isValid` for that.
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        // Years start in March so that the leap day is the last day of a year.
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let monthFromMarch = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day number (the inverse of `daysSinceEpoch`).
    public static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Days in `month` (1...12) of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whether `year-month-day` names a real day.
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysInMonth(year: year, month: month)
    }

    /// Day number and second of that day of a count of seconds since 1970-01-01T00:00:00Z,
    /// rounding towards the past for instants before 1970.
    public static func split(secondsSinceEpoch seconds: Int) -> (days: Int, secondOfDay: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (days, seconds - days * 86_400)
    }
}
