import CivilCalendar
import Foundation
import XCTest

final class CivilCalendarTests: XCTestCase {
    private var gregorianUTC: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    func testKnownDays() {
        XCTAssertEqual(CivilCalendar.daysSinceEpoch(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(CivilCalendar.daysSinceEpoch(year: 1969, month: 12, day: 31), -1)
        XCTAssertEqual(CivilCalendar.daysSinceEpoch(year: 2000, month: 3, day: 1), 11_017)
        XCTAssertEqual(CivilCalendar.daysSinceEpoch(year: 2024, month: 2, day: 29), 19_782)
        XCTAssertEqual(CivilCalendar.daysSinceEpoch(year: 1, month: 1, day: 1), -719_162)
        XCTAssertTrue(CivilCalendar.date(daysSinceEpoch: 19_782) == (2024, 2, 29))
        XCTAssertTrue(CivilCalendar.date(daysSinceEpoch: -1) == (1969, 12, 31))
    }

    /// Every day from 1600 to 2400 against Foundation's Gregorian calendar, both directions.
    func testAgreesWithFoundationAndRoundTrips() {
        let calendar = gregorianUTC
        let first = CivilCalendar.daysSinceEpoch(year: 1600, month: 1, day: 1)
        let last = CivilCalendar.daysSinceEpoch(year: 2400, month: 12, day: 31)
        var previous: (year: Int, month: Int, day: Int)?
        for days in stride(from: first, through: last, by: 1) {
            let civil = CivilCalendar.date(daysSinceEpoch: days)
            XCTAssertEqual(CivilCalendar.daysSinceEpoch(year: civil.year, month: civil.month, day: civil.day), days)
            XCTAssertTrue(CivilCalendar.isValid(year: civil.year, month: civil.month, day: civil.day))
            if let previous {
                // Consecutive day numbers are consecutive days: the day after the month's last is the 1st.
                if previous.day == CivilCalendar.daysInMonth(year: previous.year, month: previous.month) {
                    XCTAssertEqual(civil.day, 1)
                } else {
                    XCTAssertEqual(civil.day, previous.day + 1)
                }
            }
            previous = civil
            if days % 97 == 0 {
                let parts = calendar.dateComponents([.year, .month, .day],
                                                    from: Date(timeIntervalSince1970: Double(days) * 86_400))
                XCTAssertEqual(parts.year, civil.year, "day \(days)")
                XCTAssertEqual(parts.month, civil.month, "day \(days)")
                XCTAssertEqual(parts.day, civil.day, "day \(days)")
            }
        }
    }

    func testLeapYearsAndMonthLengths() {
        XCTAssertTrue(CivilCalendar.isLeapYear(2000))
        XCTAssertFalse(CivilCalendar.isLeapYear(1900))
        XCTAssertTrue(CivilCalendar.isLeapYear(2024))
        XCTAssertFalse(CivilCalendar.isLeapYear(2023))
        XCTAssertEqual(CivilCalendar.daysInMonth(year: 2023, month: 2), 28)
        XCTAssertEqual(CivilCalendar.daysInMonth(year: 2024, month: 2), 29)
        XCTAssertEqual(CivilCalendar.daysInMonth(year: 2024, month: 4), 30)
        XCTAssertEqual(CivilCalendar.daysInMonth(year: 2024, month: 12), 31)
        XCTAssertFalse(CivilCalendar.isValid(year: 2023, month: 2, day: 29))
        XCTAssertFalse(CivilCalendar.isValid(year: 2024, month: 13, day: 1))
        XCTAssertFalse(CivilCalendar.isValid(year: 2024, month: 1, day: 0))
    }

    func testSplitRoundsTowardsThePast() {
        XCTAssertTrue(CivilCalendar.split(secondsSinceEpoch: 0) == (0, 0))
        XCTAssertTrue(CivilCalendar.split(secondsSinceEpoch: 86_399) == (0, 86_399))
        XCTAssertTrue(CivilCalendar.split(secondsSinceEpoch: 86_400) == (1, 0))
        XCTAssertTrue(CivilCalendar.split(secondsSinceEpoch: -1) == (-1, 86_399))
        XCTAssertTrue(CivilCalendar.split(secondsSinceEpoch: -86_400) == (-1, 0))
        XCTAssertTrue(CivilCalendar.split(secondsSinceEpoch: -86_401) == (-2, 86_399))
    }
}
