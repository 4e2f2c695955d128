import XCTest
@testable import CRM

final class ReminderPolicyTests: XCTestCase {
    let model = BGNBDModel(parameters: BGNBDParameters(r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752))
    let today = PurchaseDay(year: 2026, month: 6, day: 1)!

    /// A customer with `x` repeat purchase days, the first and last `…DaysAgo`.
    private func candidate(_ id: String, x: Int, firstDaysAgo: Int, lastDaysAgo: Int, value: Double? = nil,
                           owner: String? = "rep@ourco.example") -> ReminderCandidate {
        let first = today.adding(days: -firstDaysAgo), last = today.adding(days: -lastDaysAgo)
        let history = PurchaseHistory(x: x, tx: Double(last - first) / 7, T: Double(today - first) / 7)
        let summary = CustomerSummary(customerID: id, history: history, firstPurchase: first, lastPurchase: last,
                                      observationEnd: today, typicalOrderValue: value)
        return ReminderCandidate(summary: summary, owner: owner)
    }

    private func evaluate(_ candidates: [ReminderCandidate], policy: ReminderPolicy = ReminderPolicy()) -> ReminderEvaluation {
        ReminderEngine.evaluate(candidates, model: model, policy: policy)
    }

    func testDueWhenLateAndAlive() throws {
        var late = candidate("late", x: 10, firstDaysAgo: 182, lastDaysAgo: 42)
        late.emailsFromCustomerSinceLastPurchase = 2
        let reminder = try XCTUnwrap(evaluate([late]).reminders.first)
        XCTAssertEqual(reminder.kind, .due)
        XCTAssertEqual(reminder.reason, "usually orders every ~2 weeks; last order 6 weeks ago; 2 emails since, none from us")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(reminder.lateness), 0.8)
        XCTAssertGreaterThanOrEqual(reminder.pAlive, 0.5)
        XCTAssertEqual(reminder.typicalIntervalDays, 14)
        // Due from the day the lateness crossed 0.8: (α + t_x)(0.2^(−1/(r + x)) − 1) weeks after the last order.
        let weeks = (4.413532 + 20) * (pow(0.2, -1 / 10.242593) - 1)
        XCTAssertEqual(reminder.dueDay, today.adding(days: -42 + Int((weeks * 7).rounded(.up))))
        XCTAssertEqual(reminder.expectedPurchases, model.expectedPurchases(in: 90.0 / 7, given: late.summary.history), accuracy: 1e-12)
    }

    func testNotDueWhenRecent() {
        XCTAssertTrue(evaluate([candidate("fresh", x: 10, firstDaysAgo: 182, lastDaysAgo: 7)]).reminders.isEmpty)
    }

    func testDueThresholdsAreConfigurable() {
        var strict = ReminderPolicy()
        strict.dueLateness = 0.95
        XCTAssertTrue(evaluate([candidate("late", x: 10, firstDaysAgo: 182, lastDaysAgo: 42)], policy: strict).reminders.isEmpty)
    }

    func testWinBackWhenLapsedAndValuable() throws {
        let lapsed = candidate("lapsed", x: 10, firstDaysAgo: 365, lastDaysAgo: 150, value: 200)
        let reminder = try XCTUnwrap(evaluate([lapsed]).reminders.first)
        XCTAssertEqual(reminder.kind, .winBack)
        XCTAssertLessThan(reminder.pAlive, 0.5)
        XCTAssertEqual(reminder.reason, "used to order every ~3 weeks; last order 5 months ago; likely lapsed; no emails since")
        XCTAssertEqual(reminder.score, reminder.expectedPurchases * 200, accuracy: 1e-12)

        var floor = ReminderPolicy()
        floor.winBackMinimumValue = 1000
        XCTAssertEqual(evaluate([lapsed], policy: floor).reminders.map(\.kind), [.winBack])  // 11 orders × 200
        let small = candidate("small", x: 10, firstDaysAgo: 365, lastDaysAgo: 150, value: 50)
        XCTAssertTrue(evaluate([small], policy: floor).reminders.isEmpty)                     // 11 × 50 < 1000
        let unknown = candidate("unknown", x: 10, firstDaysAgo: 365, lastDaysAgo: 150)
        XCTAssertTrue(evaluate([unknown], policy: floor).reminders.isEmpty)
    }

    func testWinBackNeedsARhythmAndSomeLife() {
        XCTAssertTrue(evaluate([candidate("once-repeat", x: 1, firstDaysAgo: 365, lastDaysAgo: 300)]).reminders.isEmpty)
        // Bought weekly for half a year, silent for over a year: P(alive) far below the 1% floor.
        let gone = candidate("gone", x: 25, firstDaysAgo: 600, lastDaysAgo: 420)
        XCTAssertLessThan(model.probabilityAlive(gone.summary.history), 0.01)
        XCTAssertTrue(evaluate([gone]).reminders.isEmpty)
    }

    func testFirstRepeatAfterDelay() throws {
        XCTAssertTrue(evaluate([candidate("new", x: 0, firstDaysAgo: 30, lastDaysAgo: 30)]).reminders.isEmpty)
        let reminder = try XCTUnwrap(evaluate([candidate("once", x: 0, firstDaysAgo: 50, lastDaysAgo: 50)]).reminders.first)
        XCTAssertEqual(reminder.kind, .firstRepeat)
        XCTAssertEqual(reminder.dueDay, today.adding(days: -5))
        XCTAssertEqual(reminder.reason, "bought once, 7 weeks ago; no emails since")
        XCTAssertNil(reminder.lateness)
        var later = ReminderPolicy()
        later.firstRepeatAfterDays = 60
        XCTAssertTrue(evaluate([candidate("once", x: 0, firstDaysAgo: 50, lastDaysAgo: 50)], policy: later).reminders.isEmpty)
    }

    func testSuppressedWhenRepReachedOutSinceLate() throws {
        let base = candidate("late", x: 10, firstDaysAgo: 182, lastDaysAgo: 42)
        let dueDay = try XCTUnwrap(evaluate([base]).reminders.first?.dueDay)

        var contacted = base
        contacted.lastOutboundContact = dueDay
        let result = evaluate([contacted])
        XCTAssertTrue(result.reminders.isEmpty)
        XCTAssertEqual(result.suppressed.map(\.reason), [.contactedSinceLate])

        // An email before the purchase became late does not count.
        var early = base
        early.lastOutboundContact = dueDay.adding(days: -1)
        XCTAssertEqual(evaluate([early]).reminders.count, 1)
    }

    func testFirstRepeatSuppressedByContactAfterDelay() {
        var once = candidate("once", x: 0, firstDaysAgo: 50, lastDaysAgo: 50)
        once.lastOutboundContact = today.adding(days: -2)
        XCTAssertEqual(evaluate([once]).suppressed.map(\.reason), [.contactedSinceLate])
    }

    func testSuppressedByOpenReminderOfThatKind() {
        var open = candidate("late", x: 10, firstDaysAgo: 182, lastDaysAgo: 42)
        open.openReminderKinds = [.due]
        XCTAssertEqual(evaluate([open]).suppressed.map(\.reason), [.openReminder])
        open.openReminderKinds = [.firstRepeat]
        XCTAssertEqual(evaluate([open]).reminders.map(\.kind), [.due])
    }

    func testRankedByExpectedPurchasesTimesValue() {
        let cheap = candidate("cheap", x: 10, firstDaysAgo: 182, lastDaysAgo: 42, value: 10)
        let dear = candidate("dear", x: 10, firstDaysAgo: 182, lastDaysAgo: 42, value: 1000)
        let busier = candidate("busier", x: 20, firstDaysAgo: 182, lastDaysAgo: 30, value: 10)
        let result = evaluate([cheap, busier, dear])
        XCTAssertEqual(result.reminders.map(\.customerID), ["dear", "busier", "cheap"])
        XCTAssertEqual(result.reminders.map(\.score), result.reminders.map(\.score).sorted(by: >))
    }

    func testAtMostMaxPerOwner() {
        var policy = ReminderPolicy()
        policy.maxPerOwner = 2
        let candidates = (1...3).map { candidate("a\($0)", x: 10, firstDaysAgo: 182, lastDaysAgo: 42, value: Double($0), owner: "a@ourco.example") }
            + [candidate("b1", x: 10, firstDaysAgo: 182, lastDaysAgo: 42, owner: "b@ourco.example")]
        let result = evaluate(candidates, policy: policy)
        XCTAssertEqual(result.reminders.map(\.customerID), ["a3", "a2", "b1"])
        XCTAssertEqual(result.suppressed.map(\.reminder.customerID), ["a1"])
        XCTAssertEqual(result.suppressed.map(\.reason), [.ownerLimit])
    }

    func testReasonFragments() {
        XCTAssertEqual(ReasonText.emails(fromCustomer: 0, fromUs: 0), "no emails since")
        XCTAssertEqual(ReasonText.emails(fromCustomer: 2, fromUs: 0), "2 emails since, none from us")
        XCTAssertEqual(ReasonText.emails(fromCustomer: 2, fromUs: 1), "3 emails since, 1 from us")
        XCTAssertEqual(ReasonText.emails(fromCustomer: 0, fromUs: 1), "1 email since, from us")
        XCTAssertEqual(ReasonText.interval(days: 35), "~5 weeks")
        XCTAssertEqual(ReasonText.interval(days: 3.4), "~3 days")
        XCTAssertEqual(ReasonText.interval(days: 120), "~4 months")
        XCTAssertEqual(ReasonText.ago(days: 63), "9 weeks ago")
        XCTAssertEqual(ReasonText.ago(days: 1), "yesterday")
        XCTAssertEqual(ReasonText.ago(days: 800), "2 years ago")
        XCTAssertEqual(ReasonText.likelihood(pAlive: 0.97), "very likely still a customer")
        XCTAssertEqual(ReasonText.likelihood(pAlive: 0.5), "may still be a customer")
        XCTAssertEqual(ReasonText.likelihood(pAlive: 2e-11), "very likely lapsed")
    }

    func testPolicyValidation() {
        XCTAssertNoThrow(try ReminderPolicy().validate())
        var bad = ReminderPolicy()
        bad.dueLateness = 1.2
        XCTAssertThrowsError(try bad.validate()) { XCTAssertEqual(($0 as? ReminderPolicyError)?.setting, "due-lateness") }
        bad = ReminderPolicy()
        bad.maxPerOwner = 0
        XCTAssertThrowsError(try bad.validate()) { XCTAssertEqual(($0 as? ReminderPolicyError)?.setting, "max-per-owner") }
    }
}

final class ReminderScheduleTests: XCTestCase {
    private func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    func testSameDayOrNextDay() throws {
        let schedule = try ReminderSchedule(time: "08:00", timeZone: "Europe/Budapest")
        // 07:59 CEST → 08:00 CEST the same day.
        XCTAssertEqual(schedule.nextRun(after: utc("2026-06-01T05:59:00Z")), utc("2026-06-01T06:00:00Z"))
        // Exactly at the run → the next day's run.
        XCTAssertEqual(schedule.nextRun(after: utc("2026-06-01T06:00:00Z")), utc("2026-06-02T06:00:00Z"))
        // Winter: CET.
        XCTAssertEqual(schedule.nextRun(after: utc("2026-01-10T12:00:00Z")), utc("2026-01-11T07:00:00Z"))
        // 23:30 CEST (21:30Z) is after the day's run: tomorrow's.
        XCTAssertEqual(schedule.nextRun(after: utc("2026-06-01T21:30:00Z")), utc("2026-06-02T06:00:00Z"))
    }

    func testSpringForwardGap() throws {
        // Budapest 2026-03-29: 02:00 CET → 03:00 CEST; 02:30 does not exist and runs at 03:30 CEST.
        let schedule = try ReminderSchedule(time: "02:30", timeZone: "Europe/Budapest")
        let gapRun = schedule.nextRun(after: utc("2026-03-28T12:00:00Z"))
        XCTAssertEqual(gapRun, utc("2026-03-29T01:30:00Z"))
        XCTAssertEqual(schedule.nextRun(after: gapRun), utc("2026-03-30T00:30:00Z"))
        // The day before the change still runs at 02:30 CET.
        XCTAssertEqual(schedule.nextRun(after: utc("2026-03-27T12:00:00Z")), utc("2026-03-28T01:30:00Z"))
    }

    func testFallBackOverlapRunsOnce() throws {
        // Budapest 2026-10-25: 03:00 CEST → 02:00 CET; 02:30 happens at 00:30Z and again at 01:30Z.
        let schedule = try ReminderSchedule(time: "02:30", timeZone: "Europe/Budapest")
        let first = schedule.nextRun(after: utc("2026-10-24T12:00:00Z"))
        XCTAssertEqual(first, utc("2026-10-25T00:30:00Z"))
        let next = schedule.nextRun(after: first)
        XCTAssertEqual(next, utc("2026-10-26T01:30:00Z"))
        // Even when woken between the two occurrences, the second one is not a new run of that day…
        XCTAssertEqual(schedule.nextRun(after: utc("2026-10-25T01:00:00Z")), utc("2026-10-26T01:30:00Z"))
    }

    func testOtherZonesAndMidnight() throws {
        let newYork = try ReminderSchedule(time: "0:05", timeZone: "America/New_York")
        XCTAssertEqual(newYork.nextRun(after: utc("2026-03-08T03:00:00Z")), utc("2026-03-08T05:05:00Z"))
        let tokyo = try ReminderSchedule(time: "23:59", timeZone: "Asia/Tokyo")
        XCTAssertEqual(tokyo.nextRun(after: utc("2026-06-01T00:00:00Z")), utc("2026-06-01T14:59:00Z"))
    }

    func testInvalidSettings() {
        for bad in ["8", "24:00", "08:60", "8:5", "08:00:00", "ab:cd", ""] {
            XCTAssertThrowsError(try ReminderSchedule(time: bad, timeZone: "UTC"), bad)
        }
        XCTAssertThrowsError(try ReminderSchedule(time: "08:00", timeZone: "Mars/Olympus")) {
            XCTAssertEqual($0 as? ReminderSchedule.ScheduleError, .unknownTimeZone("Mars/Olympus"))
        }
    }
}
