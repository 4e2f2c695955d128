import CRM
import Foundation
import MIME
import XCTest
@testable import Touchpoint

final class DigestRendererTests: XCTestCase {
    let today = PurchaseDay(year: 2026, month: 11, day: 16)!

    func entry(_ name: String, account: String? = "Acme & Sons", kind: ReminderKind = .due, pAlive: Double = 0.95) -> DigestEntry {
        DigestEntry(customerName: name, customerEmail: "x@example.com", account: account, kind: kind,
                    lastPurchase: PurchaseDay(year: 2026, month: 9, day: 14)!, typicalIntervalDays: 35,
                    lastContact: PurchaseDay(year: 2026, month: 11, day: 1)!,
                    reason: "usually orders every ~5 weeks; last order 9 weeks ago; 2 emails since, none from us", pAlive: pAlive)
    }

    func testHTMLEscapesEveryDatabaseValue() {
        let rendered = DigestRenderer.render([entry("<script>alert('x')</script>", account: "Tom \"&\" Jerry")], today: today)
        XCTAssertFalse(rendered.html.contains("<script>"))
        XCTAssertTrue(rendered.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        XCTAssertTrue(rendered.html.contains("Tom &quot;&amp;&quot; Jerry"))
        // The plain-text part carries the name as is.
        XCTAssertTrue(rendered.text.contains("<script>alert('x')</script>"))
    }

    func testSubjectCountsAndNamesTheFirstCustomer() {
        XCTAssertEqual(DigestRenderer.render([entry("Ελένη Γεωργίου")], today: today).subject,
                       "1 customer to call today: Ελένη Γεωργίου")
        XCTAssertEqual(DigestRenderer.render([entry("王喆"), entry("B"), entry("C")], today: today).subject,
                       "3 customers to call today: 王喆 and 2 more")
    }

    func testPlainLanguageLikelihoodAndTableContent() {
        let rendered = DigestRenderer.render([entry("A", pAlive: 0.97), entry("B", kind: .winBack, pAlive: 0.05)], today: today)
        XCTAssertTrue(rendered.html.contains("very likely still active"))
        XCTAssertTrue(rendered.html.contains("very likely lapsed"))
        XCTAssertTrue(rendered.text.contains("Last purchase: 2026-09-14 (9 weeks ago); typical interval: ~5 weeks; last contact: 2026-11-01 (2 weeks ago)"))
        XCTAssertEqual(DigestRenderer.likelihood(0.6), "probably still active")
        XCTAssertEqual(DigestRenderer.likelihood(0.3), "may have stopped buying")
    }

    /// The digest goes through the MIME builder; our own parser must read back the non-ASCII
    /// subject and both alternatives.
    func testNonASCIISubjectSurvivesTheMessageRoundTrip() throws {
        let rendered = DigestRenderer.render([entry("Сергей Козлов"), entry("Szabó Éva")], today: today)
        let builder = MessageBuilder(from: Mailbox(name: "Touchpoint", address: "tp@acme.example"),
                                     to: [Mailbox(address: "anna@acme.example")], subject: rendered.subject,
                                     text: rendered.text, html: rendered.html, messageIDDomain: "acme.example")
        let bytes = try builder.build().bytes
        XCTAssertTrue(bytes.allSatisfy { $0 < 0x80 }, "headers and bodies must be 7-bit encoded")
        let parsed = MessageParser().parse(bytes)
        XCTAssertEqual(parsed.subject, "2 customers to call today: Сергей Козлов and 1 more")
        XCTAssertTrue(parsed.text?.contains("Szabó Éva") ?? false)
        XCTAssertTrue(parsed.defects.isEmpty, "\(parsed.defects)")
    }

    func testPurchaseTimestampsAndDates() {
        let budapest = TimeZone(identifier: "Europe/Budapest")!
        XCTAssertEqual(PurchaseTimestamp.parse("2026-03-14T09:23:00Z", timeZone: budapest)?.timeIntervalSince1970, 1_773_480_180)
        XCTAssertEqual(PurchaseTimestamp.parse("2026-03-14T10:23:00.5+01:00", timeZone: budapest)?.timeIntervalSince1970, 1_773_480_180.5)
        // A bare date is local midnight: 2026-07-01 00:00 CEST = 2026-06-30 22:00 UTC.
        XCTAssertEqual(PurchaseTimestamp.parse("2026-07-01", timeZone: budapest)?.timeIntervalSince1970, 1_782_856_800)
        for bad in ["2026-02-30", "14/03/2026", "2026-03-14T09:23", "2026-03-14T25:00:00Z", "2026-03-14T09:23:00+1"] {
            XCTAssertNil(PurchaseTimestamp.parse(bad, timeZone: budapest), bad)
        }
    }

    func testPolicyMappingFromConfig() {
        var reminders = RemindersConfig()
        reminders.lateThreshold = 0.9
        reminders.aliveThreshold = 0.4
        reminders.firstRepeatAfter = .seconds(30 * 86_400)
        reminders.horizon = .seconds(60 * 86_400)
        reminders.maxPerDigest = 7
        let policy = ReminderSettings.policy(reminders)
        XCTAssertEqual(policy.dueLateness, 0.9)
        XCTAssertEqual(policy.dueMinimumPAlive, 0.4)
        XCTAssertEqual(policy.winBackBelowPAlive, 0.4)
        XCTAssertEqual(policy.firstRepeatAfterDays, 30)
        XCTAssertEqual(policy.horizonDays, 60)
        XCTAssertEqual(policy.maxPerOwner, 7)
        XCTAssertEqual(ReminderSettings.mailbox("Touchpoint <tp@acme.example>"), Mailbox(name: "Touchpoint", address: "tp@acme.example"))
    }

    func testOutboxBackoffIsExponentialAndCapped() {
        XCTAssertEqual((1...8).map(OutboxSender.retryDelaySeconds(afterAttempts:)), [60, 120, 240, 480, 960, 1920, 3600, 3600])
    }
}
