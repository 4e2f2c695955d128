import XCTest
@testable import CRM

/// Reference values below were computed independently with mpmath (50 digits) from the formulas of
/// Fader, Hardie & Lee (2005) in their original, untransformed form.
final class BGNBDModelTests: XCTestCase {
    let published = BGNBDModel(parameters: BGNBDParameters(r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752))

    private func model(a: Double) -> BGNBDModel {
        BGNBDModel(parameters: BGNBDParameters(r: 0.242593, alpha: 4.413532, a: a, b: 2.425752))
    }

    private func assertRelative(_ got: Double, _ want: Double, _ tolerance: Double = 1e-9, _ message: String = "",
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got, want, accuracy: abs(want) * tolerance, message, file: file, line: line)
    }

    func testHundredsOfPurchases() {
        let heavy = PurchaseHistory(x: 500, tx: 50, T: 52)
        assertRelative(published.logLikelihood(heavy), 595.67722581807728)
        assertRelative(published.probabilityAlive(heavy), 9.0991700806981931e-6, 1e-8)
        assertRelative(published.expectedPurchases(in: 13, given: heavy), 0.00096477484149746019, 1e-8)
        let gone = PurchaseHistory(x: 500, tx: 50, T: 60)
        assertRelative(published.probabilityAlive(gone), 1.4064450669838481e-34, 1e-8)
        assertRelative(published.expectedPurchases(in: 13, given: gone), 1.3187133099977131e-32, 1e-8)
        assertRelative(published.expectedPurchases(in: 26, given: PurchaseHistory(x: 800, tx: 100, T: 100)), 181.95259550675067)
    }

    func testAlphaNearOneIsContinuous() {
        let cases: [(a: Double, recent: Double, oneTime: Double, longHorizon: Double)] = [
            (1.0000000001, 1.1263873184694233, 0.19417780778437582, 5.6208288900555871),
            (0.9999999999, 1.1263873185808683, 0.19417780778808741, 5.6208288913843623),
            (1.004, 1.124162193389318, 0.19410368446947856, 5.5943437718551366),
            (0.996, 1.1286200069775738, 0.19425214818265064, 5.6474952808673795),
            (1.02, 1.1153366290987749, 0.19380934392830561, 5.4901862609228602),
        ]
        for row in cases {
            let m = model(a: row.a)
            assertRelative(m.expectedPurchases(in: 39, given: PurchaseHistory(x: 2, tx: 30, T: 38)), row.recent, 1e-8, "a=\(row.a)")
            assertRelative(m.expectedPurchases(in: 39, given: PurchaseHistory(x: 0, tx: 0, T: 38)), row.oneTime, 1e-8, "a=\(row.a)")
            // z = 500/542 > 0.9: the transformed path.
            assertRelative(m.expectedPurchases(in: 500, given: PurchaseHistory(x: 2, tx: 30, T: 38)), row.longHorizon, 1e-7, "a=\(row.a)")
        }
        // a = 1 exactly is the limit, between its neighbours.
        let exact = model(a: 1).expectedPurchases(in: 39, given: PurchaseHistory(x: 2, tx: 30, T: 38))
        XCTAssertEqual(exact, 1.12638731852, accuracy: 1e-9)
    }

    func testLastPurchaseAtObservationEnd() {
        let justBought = PurchaseHistory(x: 5, tx: 20, T: 20)
        XCTAssertEqual(published.lateness(justBought), 0)
        assertRelative(published.probabilityAlive(justBought), 0.89016127419050519)
        assertRelative(published.expectedPurchases(in: 39, given: justBought), 5.3236217339548859)
    }

    func testOneTimeBuyer() {
        let once = PurchaseHistory(x: 0, tx: 0, T: 38)
        XCTAssertEqual(published.probabilityAlive(once), 1)
        XCTAssertTrue(published.logLikelihood(once).isFinite)
        XCTAssertLessThan(published.expectedPurchases(in: 39, given: once), published.expectedPurchasesOfNewCustomer(in: 39))
        XCTAssertEqual(published.expectedPurchases(in: 0, given: once), 0)
    }

    func testHorizonCloseToOne() {
        assertRelative(published.expectedPurchasesOfNewCustomer(in: 1000), 6.5730967816896714, 1e-8)
        assertRelative(published.expectedPurchases(in: 1000, given: PurchaseHistory(x: 3, tx: 2, T: 5)), 21.224824281152282, 1e-8)
    }

    func testLargeA() {
        let m = BGNBDModel(parameters: BGNBDParameters(r: 0.24, alpha: 4.4, a: 5000, b: 12000))
        let first = m.expectedPurchasesDetailed(in: 13, given: PurchaseHistory(x: 4, tx: 20, T: 30))
        XCTAssertTrue(first.converged)
        assertRelative(first.value, 0.43964851001990346, 1e-8)
        assertRelative(m.expectedPurchases(in: 13, given: PurchaseHistory(x: 300, tx: 50, T: 52)), 0.00016679851850121872, 1e-7)
    }

    func testLatenessAndMedianWait() {
        let h = PurchaseHistory(x: 4, tx: 20, T: 30)
        let shape = 0.242593 + 4
        XCTAssertEqual(published.lateness(h), 1 - pow((4.413532 + 20) / (4.413532 + 30), shape), accuracy: 1e-14)
        XCTAssertEqual(published.medianWaitToNextPurchase(h), (4.413532 + 20) * (pow(2, 1 / shape) - 1), accuracy: 1e-12)
        // The wait at which lateness reaches q really has lateness q.
        let wait = published.timeSinceLastPurchase(atLateness: 0.8, given: h)
        XCTAssertEqual(published.lateness(PurchaseHistory(x: 4, tx: 20, T: 20 + wait)), 0.8, accuracy: 1e-12)
        XCTAssertGreaterThan(published.lateness(PurchaseHistory(x: 4, tx: 20, T: 40)), published.lateness(h))
    }

    func testHypergeometricPaths() {
        // c − a − b = 2 (integer): the connection formula is singular, the long series is used.
        XCTAssertEqual(Hypergeometric.f21(1.5, -0.2, 3.3, 0.97).value, 0.87411490691427419, accuracy: 1e-12)
        // c − a − b = −1.5: connection formula.
        let transformed = Hypergeometric.f21(2.25, 0.5, 1.25, 0.95)
        XCTAssertTrue(transformed.converged)
        XCTAssertEqual(transformed.value, 38.460369212996383, accuracy: 38.46 * 1e-12)
        XCTAssertLessThan(transformed.terms, Hypergeometric.gaussSeries(2.25, 0.5, 1.25, 0.95, limit: 100_000).terms)
        let series = Hypergeometric.f21(2.25, 0.5, 1.25, 0.95, allowTransformation: false)
        XCTAssertEqual(series.value, transformed.value, accuracy: 38.46 * 1e-11)
        // A term budget that is too small is reported, not hidden.
        XCTAssertFalse(Hypergeometric.gaussSeries(2.25, 0.5, 1.25, 0.95, limit: 10).converged)
    }

    func testDigamma() {
        XCTAssertEqual(SpecialFunctions.digamma(1), -0.57721566490153286, accuracy: 1e-14)
        XCTAssertEqual(SpecialFunctions.digamma(0.25), -4.2274535333762654, accuracy: 1e-13)
        XCTAssertEqual(SpecialFunctions.digamma(100), 4.6001618527380874, accuracy: 1e-13)
    }

    func testAnalyticGradientMatchesFiniteDifferences() {
        var simulator = BGNBDSimulator(parameters: published.parameters, seed: 11)
        let histories = (0..<2000).map { simulator.history(observedForDays: 30 + $0 % 300) }
        let likelihood = BGNBDLikelihood(AggregatedHistories(histories))
        let theta = [log(0.3), log(5.0), log(0.7), log(2.0)]
        let (value, gradient) = likelihood.valueAndGradient(at: theta)
        XCTAssertEqual(value, published.logLikelihood(histories) - published.logLikelihood(histories) + BGNBDModel(
            parameters: BGNBDParameters(r: 0.3, alpha: 5, a: 0.7, b: 2)).logLikelihood(histories), accuracy: 1e-7)
        for i in 0..<4 {
            var up = theta, down = theta
            up[i] += 1e-5
            down[i] -= 1e-5
            let numeric = (likelihood.value(at: up) - likelihood.value(at: down)) / 2e-5
            XCTAssertEqual(gradient[i], numeric, accuracy: max(1e-3, abs(numeric) * 1e-6), "θ\(i)")
        }
    }

    func testFitRecoversSimulatedParameters() throws {
        let truth = BGNBDParameters(r: 0.5, alpha: 6, a: 0.9, b: 3)
        var simulator = BGNBDSimulator(parameters: truth, seed: 2024)
        // Continuous times: day rounding would bias the rates of the heaviest buyers.
        let histories: [PurchaseHistory] = (0..<20_000).map { index in
            let T = Double(10 + index % 60)
            let times = simulator.purchaseTimes(observedFor: T)
            return PurchaseHistory(x: times.count, tx: times.last ?? 0, T: T)
        }
        let fit = try BGNBDFitter.fit(histories)
        XCTAssertTrue(fit.converged)
        XCTAssertEqual(fit.parameters.r, truth.r, accuracy: truth.r * 0.1)
        XCTAssertEqual(fit.parameters.alpha, truth.alpha, accuracy: truth.alpha * 0.15)
        XCTAssertEqual(fit.parameters.a, truth.a, accuracy: truth.a * 0.2)
        XCTAssertEqual(fit.parameters.b, truth.b, accuracy: truth.b * 0.25)
        XCTAssertGreaterThanOrEqual(fit.logLikelihood, BGNBDModel(parameters: truth).logLikelihood(histories))
    }

    func testSimulatedTransactionsSummariseConsistently() {
        var simulator = BGNBDSimulator(parameters: BGNBDParameters(r: 2, alpha: 4, a: 0.5, b: 5), seed: 3)
        let start = PurchaseDay(year: 2025, month: 1, day: 1)!, end = PurchaseDay(year: 2025, month: 12, day: 31)!
        let transactions = (0..<200).flatMap {
            simulator.transactions(customerID: "c\($0)", firstPurchase: start.adding(days: $0), observationEnd: end)
        }
        let summaries = CustomerSummary.build(transactions: transactions, observationEnd: end)
        XCTAssertEqual(summaries.count, 200)
        XCTAssertTrue(transactions.allSatisfy { $0.day >= start && $0.day <= end && $0.amount >= 50 && $0.amount <= 150 })
        XCTAssertTrue(summaries.allSatisfy { $0.history.defect == nil })
        XCTAssertGreaterThan(summaries.filter { $0.history.x > 0 }.count, 100)
        // Same seed, same data.
        var again = BGNBDSimulator(parameters: BGNBDParameters(r: 2, alpha: 4, a: 0.5, b: 5), seed: 3)
        XCTAssertEqual(again.transactions(customerID: "c0", firstPurchase: start, observationEnd: end),
                       transactions.filter { $0.customerID == "c0" })
    }

    func testFitRejectsUnusableInput() {
        XCTAssertThrowsError(try BGNBDFitter.fit([])) { XCTAssertEqual($0 as? BGNBDFitError, .noCustomers) }
        XCTAssertThrowsError(try BGNBDFitter.fit([PurchaseHistory(x: 0, tx: 0, T: 5)])) {
            XCTAssertEqual($0 as? BGNBDFitError, .noRepeatPurchases)
        }
        XCTAssertThrowsError(try BGNBDFitter.fit([PurchaseHistory(x: 2, tx: 9, T: 5)])) {
            guard case .invalidHistory(index: 0, _)? = $0 as? BGNBDFitError else { return XCTFail("\($0)") }
        }
    }

    func testNonConvergenceIsReported() throws {
        var options = BGNBDFitter.Options()
        options.nelderMeadMaxIterations = 3
        options.quasiNewtonMaxIterations = 1
        var simulator = BGNBDSimulator(parameters: published.parameters, seed: 5)
        let histories = (0..<500).map { simulator.history(observedForDays: 100 + $0 % 100) }
        let fit = try BGNBDFitter.fit(histories, options: options)
        XCTAssertFalse(fit.converged)
        XCTAssertTrue(fit.usedFallback)
        XCTAssertLessThanOrEqual(fit.iterations, 8)
    }

    func testQuickPathAndFullNelderMeadReachTheSameMaximum() throws {
        let histories = try CDNOWFixture.calibration().map(\.history)
        let quick = try BGNBDFitter.fit(histories)
        XCTAssertFalse(quick.usedFallback)
        var options = BGNBDFitter.Options()
        options.quickNelderMeadIterations = options.nelderMeadMaxIterations
        let full = try BGNBDFitter.fit(histories, options: options)
        XCTAssertTrue(full.converged)
        XCTAssertGreaterThan(full.iterations, quick.iterations)
        for (q, f) in [(quick.parameters.r, full.parameters.r), (quick.parameters.alpha, full.parameters.alpha),
                       (quick.parameters.a, full.parameters.a), (quick.parameters.b, full.parameters.b)] {
            XCTAssertEqual(q, f, accuracy: f * 1e-6)
        }
    }
}
