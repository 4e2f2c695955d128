import XCTest
@testable import CRM

final class PurchaseSummaryTests: XCTestCase {
    func testCivilDateRoundTrip() throws {
        for (y, m, d, n) in [(1970, 1, 1, 0), (2000, 2, 29, 11_016), (1969, 12, 31, -1), (2024, 3, 31, 19_813)] {
            let day = try XCTUnwrap(PurchaseDay(year: y, month: m, day: d))
            XCTAssertEqual(day.daysSinceEpoch, n)
            XCTAssertTrue(day.civil == (y, m, d))
        }
        XCTAssertNil(PurchaseDay(year: 2023, month: 2, day: 29))
        XCTAssertEqual(PurchaseDay(parsing: "2024-03-31"), PurchaseDay(parsing: "20240331"))
        XCTAssertNil(PurchaseDay(parsing: "2024-0331"))
        XCTAssertEqual(PurchaseDay(year: 2024, month: 3, day: 1)?.description, "2024-03-01")
    }

    func testSameDayPurchasesCountOnceAndFirstIsNotRepeat() throws {
        let d = { (m: Int, day: Int) in PurchaseDay(year: 2024, month: m, day: day)! }
        let transactions = [
            Transaction(customerID: "a", day: d(1, 1), amount: 10),
            Transaction(customerID: "a", day: d(1, 1), amount: 5),
            Transaction(customerID: "a", day: d(1, 15), amount: 30),
            Transaction(customerID: "a", day: d(3, 1), amount: 99),  // after the cut-off
            Transaction(customerID: "b", day: d(1, 29), amount: 0),
            Transaction(customerID: "c", day: d(2, 5), amount: 1),   // first purchase after the cut-off
        ]
        let summaries = CustomerSummary.build(transactions: transactions, observationEnd: d(1, 29))
        XCTAssertEqual(summaries.map(\.customerID), ["a", "b"])
        XCTAssertEqual(summaries[0].history, PurchaseHistory(x: 1, tx: 2, T: 4))
        XCTAssertEqual(summaries[0].typicalOrderValue, 22.5)
        XCTAssertEqual(summaries[0].lastPurchase, d(1, 15))
        XCTAssertEqual(summaries[1].history, PurchaseHistory(x: 0, tx: 0, T: 0))
        XCTAssertNil(summaries[1].typicalOrderValue)
        let inDays = CustomerSummary.build(transactions: transactions, observationEnd: d(1, 29), daysPerUnit: 1)
        XCTAssertEqual(inDays[0].history, PurchaseHistory(x: 1, tx: 14, T: 28))
    }

    func testNumericIDsSortNumerically() {
        let t = (1...12).map { Transaction(customerID: String($0), day: PurchaseDay(daysSinceEpoch: 0)) }
        XCTAssertEqual(CustomerSummary.build(transactions: t.reversed(), observationEnd: PurchaseDay(daysSinceEpoch: 0)).map(\.customerID),
                       (1...12).map(String.init))
    }

    func testCDNOWParser() throws {
        let text = " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\n\n"
        let transactions = try CDNOW.parse(text)
        XCTAssertEqual(transactions.count, 2)
        XCTAssertEqual(transactions[0], Transaction(customerID: "1", day: PurchaseDay(year: 1997, month: 1, day: 1)!, amount: 29.33))
        XCTAssertThrowsError(try CDNOW.parse("1 2 19971301 1 2\n")) { XCTAssertEqual(($0 as? CDNOW.ParseError)?.line, 1) }
        XCTAssertThrowsError(try CDNOW.parse("ok\n1 2 3\n")) { XCTAssertEqual(($0 as? CDNOW.ParseError)?.line, 1) }
    }

    func testAUC() {
        XCTAssertEqual(HoldoutEvaluation.rankingAUC(scores: [1, 2, 3, 4], labels: [false, false, true, true]), 1)
        XCTAssertEqual(HoldoutEvaluation.rankingAUC(scores: [4, 3, 2, 1], labels: [false, false, true, true]), 0)
        XCTAssertEqual(HoldoutEvaluation.rankingAUC(scores: [1, 1, 1, 1], labels: [false, true, false, true]), 0.5)
        // One positive above one negative, tied with the other: (1 + 0.5)/2.
        XCTAssertEqual(HoldoutEvaluation.rankingAUC(scores: [1, 2, 2], labels: [false, false, true]), 0.75)
        XCTAssertNil(HoldoutEvaluation.rankingAUC(scores: [1], labels: [true]))
    }

    func testNaiveScore() {
        XCTAssertEqual(HoldoutEvaluation.naiveOverdueScore(PurchaseHistory(x: 2, tx: 10, T: 20)), 2)
        XCTAssertEqual(HoldoutEvaluation.naiveOverdueScore(PurchaseHistory(x: 0, tx: 0, T: 20)), -.infinity)
    }
}
