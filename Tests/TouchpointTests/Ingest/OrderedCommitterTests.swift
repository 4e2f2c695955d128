import Foundation
import XCTest
@testable import Touchpoint

final class OrderedCommitterTests: XCTestCase {
    /// What the committer thread saw, read by the test after `drain`/`finish`.
    final class Ledger: @unchecked Sendable {
        // Safe: guarded by `lock`.
        private let lock = NSLock()
        private var jobs: [Int] = []
        func append(_ job: Int) { lock.lock(); jobs.append(job); lock.unlock() }
        var committed: [Int] { lock.lock(); defer { lock.unlock() }; return jobs }
    }

    struct Refused: Error, Equatable { let job: Int }

    func testCommitsEveryJobInSubmissionOrder() throws {
        let ledger = Ledger()
        let committer = OrderedCommitter<Int>(capacity: 1, threadName: "test-commit") { ledger.append($0) }
        for job in 0..<200 { try committer.submit(job) }
        try committer.finish()
        XCTAssertEqual(ledger.committed, Array(0..<200))
    }

    func testNeverHoldsMoreThanCapacityPlusTheOneBeingCommitted() throws {
        let ledger = Ledger()
        let capacity = 2
        // A slow database: the submitter outruns it, so only the bound keeps the queue short.
        let committer = OrderedCommitter<Int>(capacity: capacity, threadName: "test-commit") { job in
            usleep(500)
            ledger.append(job)
        }
        var largestBacklog = 0
        for job in 0..<100 {
            try committer.submit(job)
            largestBacklog = max(largestBacklog, job + 1 - ledger.committed.count)
        }
        try committer.finish()
        XCTAssertLessThanOrEqual(largestBacklog, capacity + 1)
        XCTAssertEqual(ledger.committed, Array(0..<100))
    }

    func testDrainReturnsOnlyWhenEverythingSubmittedIsCommitted() throws {
        let ledger = Ledger()
        let committer = OrderedCommitter<Int>(capacity: 1, threadName: "test-commit") { job in
            usleep(200)
            ledger.append(job)
        }
        for round in 0..<5 {
            for job in 0..<4 { try committer.submit(round * 4 + job) }
            try committer.drain()
            XCTAssertEqual(ledger.committed, Array(0..<(round * 4 + 4)))
        }
        try committer.finish()
    }

    func testAFailedCommitStopsLaterCommitsAndIsThrownToTheSubmitter() throws {
        let ledger = Ledger()
        let committer = OrderedCommitter<Int>(capacity: 1, threadName: "test-commit") { job in
            if job == 3 { throw Refused(job: job) }
            ledger.append(job)
        }
        var thrown: (any Error)?
        for job in 0..<50 {
            do { try committer.submit(job) } catch {
                thrown = error
                break
            }
        }
        XCTAssertThrowsError(try committer.finish()) { XCTAssertEqual($0 as? Refused, Refused(job: 3)) }
        XCTAssertThrowsError(try committer.throwIfFailed()) { XCTAssertEqual($0 as? Refused, Refused(job: 3)) }
        if let thrown { XCTAssertEqual(thrown as? Refused, Refused(job: 3)) }
        XCTAssertEqual(ledger.committed, [0, 1, 2], "nothing after the failed job may be committed")
        XCTAssertThrowsError(try committer.drain())
    }
}
