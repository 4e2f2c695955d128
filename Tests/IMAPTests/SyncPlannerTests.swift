import XCTest
@testable import IMAP

final class SyncPlannerTests: XCTestCase {
    private let box = MailboxName("INBOX")

    private func examined(_ validity: UInt32, next: UInt32?, exists: UInt32) -> ExamineResult {
        ExamineResult(mailbox: box, uidValidity: UIDValidity(validity), uidNext: next.map { UID($0) }, exists: exists)
    }

    func testFirstSyncFetchesEverythingInBoundedBatches() {
        let plan = SyncPlanner.plan(cursor: nil, examined: examined(7, next: 2501, exists: 2500), batchSize: 1000)
        XCTAssertEqual(plan, .resync(reason: .firstSync, newCursor: FolderCursor(uidValidity: UIDValidity(7), lastUID: nil),
                                     batches: [UID(1)...UID(1000), UID(1001)...UID(2000), UID(2001)...UID(2500)]))
    }

    func testNothingNew() {
        let cursor = FolderCursor(uidValidity: UIDValidity(7), lastUID: UID(2500))
        XCTAssertEqual(SyncPlanner.plan(cursor: cursor, examined: examined(7, next: 2501, exists: 2500), batchSize: 1000), .nothingNew)
        // Mail deleted on the server is not our business: nothing to do, nothing deleted.
        XCTAssertEqual(SyncPlanner.plan(cursor: cursor, examined: examined(7, next: 2501, exists: 0), batchSize: 1000), .nothingNew)
    }

    func testNewMailAfterCursor() {
        let cursor = FolderCursor(uidValidity: UIDValidity(7), lastUID: UID(10))
        XCTAssertEqual(SyncPlanner.plan(cursor: cursor, examined: examined(7, next: 16, exists: 15), batchSize: 4),
                       .fetch(batches: [UID(11)...UID(14), UID(15)...UID(15)]))
    }

    func testUIDValidityChangeResyncsFromOne() {
        let cursor = FolderCursor(uidValidity: UIDValidity(7), lastUID: UID(500))
        XCTAssertEqual(SyncPlanner.plan(cursor: cursor, examined: examined(8, next: 4, exists: 3), batchSize: 100),
                       .resync(reason: .uidValidityChanged(old: UIDValidity(7), new: UIDValidity(8)),
                               newCursor: FolderCursor(uidValidity: UIDValidity(8), lastUID: nil),
                               batches: [UID(1)...UID(3)]))
    }

    func testUIDNextGoingBackwardsResyncs() {
        let cursor = FolderCursor(uidValidity: UIDValidity(7), lastUID: UID(500))
        XCTAssertEqual(SyncPlanner.plan(cursor: cursor, examined: examined(7, next: 300, exists: 299), batchSize: 1000),
                       .resync(reason: .uidNextWentBackwards(lastUID: UID(500), uidNext: UID(300)),
                               newCursor: FolderCursor(uidValidity: UIDValidity(7), lastUID: nil),
                               batches: [UID(1)...UID(299)]))
    }

    func testMissingUIDNextAsksForASearch() {
        let cursor = FolderCursor(uidValidity: UIDValidity(7), lastUID: UID(5))
        XCTAssertEqual(SyncPlanner.plan(cursor: cursor, examined: examined(7, next: nil, exists: 9), batchSize: 10),
                       .search(from: UID(6), resync: nil))
        XCTAssertEqual(SyncPlanner.plan(cursor: nil, examined: examined(7, next: nil, exists: 9), batchSize: 10),
                       .search(from: UID(1), resync: .firstSync))
    }

    func testHugeUIDGapIsBounded() {
        let plan = SyncPlanner.plan(cursor: nil, examined: examined(1, next: UInt32.max, exists: 2), batchSize: 1)
        guard case .resync(_, _, let batches) = plan else { return XCTFail("\(plan)") }
        XCTAssertEqual(batches.count, SyncPlanner.maxPlannedBatches)
        let cursor = FolderCursor(uidValidity: UIDValidity(1), lastUID: UID.highest)
        XCTAssertEqual(SyncPlanner.plan(cursor: cursor, examined: examined(1, next: nil, exists: 2), batchSize: 1), .nothingNew)
    }

    func testBatchesOfSparseUIDs() {
        XCTAssertEqual(SyncPlanner.batches(of: [UID(900), UID(3), UID(70), UID(5), UID(3)], batchSize: 2),
                       [UID(3)...UID(5), UID(70)...UID(900)])
        XCTAssertEqual(SyncPlanner.batches(of: [], batchSize: 2), [])
    }
}
