import Foundation
import XCTest
import Postgres
import StackTestSupport

/// Restarts the shared server: kept in one test so it happens once per run.
final class PostgresReconnectTests: XCTestCase {
    func testServerRestartReconnectsAndFailsTheInFlightTransaction() throws {
        let database = try TestDatabase()
        defer { database.drop() }
        guard ProcessInfo.processInfo.environment["TP_STACK"] != nil else {
            throw XCTSkip("TP_STACK not set: run deploy/local/test")
        }
        let idle = try database.connect()
        let busy = try database.connect()
        try idle.query("CREATE TABLE t (n int)")
        try idle.query("INSERT INTO t VALUES (1)")

        var restartError: (any Error)?
        XCTAssertThrowsError(try busy.transaction { tx in
            try tx.query("INSERT INTO t VALUES (2)")
            do { try runStack(["restart", "pg"]) } catch { restartError = error }
            try tx.query("INSERT INTO t VALUES (3)")
        }) { error in
            let failure = error as? PostgresError
            XCTAssertEqual(failure?.kind, .transactionLost, "\(error)")
            XCTAssertTrue(failure?.isTransient ?? false)
        }
        if let restartError { throw restartError }

        // Idle connection: the next operation reconnects by itself.
        let generation = idle.sessionGeneration
        XCTAssertEqual(try idle.query("SELECT count(*) FROM t").scalar(Int.self), 1, "the lost transaction left nothing")
        XCTAssertEqual(idle.sessionGeneration, generation + 1)
        // The connection that lost its transaction works again on the next operation.
        XCTAssertEqual(try busy.query("SELECT 1").scalar(Int.self), 1)
        XCTAssertFalse(busy.isInTransaction)
    }
}
