import XCTest
@testable import Touchpoint

final class BackoffTests: XCTestCase {
    struct Fixed: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    func testGrowsExponentiallyAndIsCapped() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
        var high = Fixed(value: .max)
        let delays = (0..<10).map { _ in backoff.nextDelay(using: &high) }
        XCTAssertEqual(delays.prefix(4).map { Int($0.components.seconds) }, [1, 2, 4, 8])
        XCTAssertEqual(delays.last, .seconds(60), "capped at the maximum")
        backoff.reset()
        XCTAssertEqual(backoff.ceiling, .zero)
    }

    func testJitterStaysWithinHalfToFullCeiling() {
        var backoff = Backoff(initial: .seconds(10), maximum: .seconds(10))
        for _ in 0..<200 {
            let delay = backoff.nextDelay()
            XCTAssertGreaterThanOrEqual(delay, .seconds(5))
            XCTAssertLessThanOrEqual(delay, .seconds(10))
        }
        let spread = Set((0..<50).map { _ in jittered(.seconds(60)) })
        XCTAssertGreaterThan(spread.count, 1, "jitter must vary")
        XCTAssertTrue(spread.allSatisfy { $0 >= .seconds(54) && $0 <= .seconds(66) })
    }

    func testStopSignalWakesWaiters() {
        let stop = StopSignal()
        let woke = expectation(description: "waiter woke")
        Thread.detachNewThread {
            if stop.wait(for: .seconds(30)) { woke.fulfill() }
        }
        Thread.sleep(forTimeInterval: 0.05)
        stop.stop()
        wait(for: [woke], timeout: 5)
        XCTAssertFalse(StopSignal().wait(for: .milliseconds(10)), "times out when nobody stops it")
    }
}

final class DurationTextTests: XCTestCase {
    func testDescribesLikeTheConfigFile() {
        XCTAssertEqual(DurationText.describe(.seconds(60)), "1m")
        XCTAssertEqual(DurationText.describe(.seconds(5400)), "1h30m")
        XCTAssertEqual(DurationText.describe(.milliseconds(250)), "250ms")
        XCTAssertEqual(DurationText.describe(.milliseconds(2500)), "2.5s")
        XCTAssertEqual(DurationText.describe(.seconds(86_400 + 5)), "1d5s")
    }
}
