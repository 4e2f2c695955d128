import XCTest
@testable import Touchpoint

/// Wakeup is consumed by the wait it ends; a stop stays in force for every later wait.
final class WakeupTests: XCTestCase {
    func testANotificationEndsOneWaitAndIsConsumed() {
        let wakeup = Wakeup()
        wakeup.notify()
        XCTAssertTrue(wakeup.wait(for: .seconds(5)), "a notify before the wait ends it at once")
        XCTAssertFalse(wakeup.wait(for: .milliseconds(20)), "the first wait consumed the notification")
    }

    func testANotificationFromAnotherThreadEndsTheWait() {
        let wakeup = Wakeup()
        let notifier = Thread { usleep(20_000); wakeup.notify() }
        notifier.start()
        XCTAssertTrue(wakeup.wait(for: .seconds(30)))
    }

    func testAStopStaysInForce() {
        let stop = StopSignal()
        XCTAssertFalse(stop.wait(for: .milliseconds(10)))
        stop.stop()
        XCTAssertTrue(stop.wait(for: .seconds(5)))
        XCTAssertTrue(stop.wait(for: .seconds(5)), "a stop is never consumed")
        XCTAssertTrue(stop.isStopped)
    }
}
