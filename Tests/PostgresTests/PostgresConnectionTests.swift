import Foundation
import XCTest
import Postgres

final class PostgresConnectionTests: XCTestCase {
    private var database: TestDatabase!

    override func setUpWithError() throws {
        database = try TestDatabase()
    }

    override func tearDown() {
        database?.drop()
    }

    static let hostileStrings: [String] = [
        "O'Brien", "\"double\"", "back\\slash", "\\x00 not bytes", "'; DROP TABLE items; --",
        "Robert'); DROP TABLE students;--", "tab\tnew\nline\r\n", "שלום עולם", "مرحبا", "漢字かなカナ",
        "emoji 👩‍👩‍👧‍👦🇭🇺", "e\u{301}", "$1", "{\"a\",NULL}", "",
        String(repeating: "x", count: 1_048_576),
    ]

    func testHostileValuesRoundTripThroughParameters() throws {
        let connection = try database.connect()
        try connection.query("CREATE TABLE items (id serial PRIMARY KEY, body text NOT NULL)")
        for value in Self.hostileStrings {
            let id = try connection.query("INSERT INTO items (body) VALUES (\(value)) RETURNING id").scalar(Int.self)
            let back = try connection.query("SELECT body FROM items WHERE id = \(id)").scalar(String.self)
            XCTAssertEqual(back, value)
            let echoed = try connection.query("SELECT \(value)::text AS echo").scalar(String.self)
            XCTAssertEqual(echoed, value)
        }
        XCTAssertEqual(try connection.query("SELECT count(*) FROM items").scalar(Int.self), Self.hostileStrings.count)
    }

    func testNulInTextIsRejectedNamingTheParameter() throws {
        let connection = try database.connect()
        let fine = "ok"
        let bad = "nul\u{0}inside"
        XCTAssertThrowsError(try connection.query("SELECT \(fine), \(bad)")) { error in
            let failure = error as? PostgresError
            XCTAssertEqual(failure?.kind, .invalidParameter(index: 2))
            XCTAssertTrue(failure?.description.contains("$2") ?? false, "\(error)")
            XCTAssertTrue(failure?.description.contains("NUL") ?? false, "\(error)")
        }
        // The connection is still usable afterwards.
        XCTAssertEqual(try connection.query("SELECT 1").scalar(Int.self), 1)
    }

    func testHostileValuesRoundTripThroughCopyAndArrays() throws {
        let connection = try database.connect()
        try connection.query("CREATE TABLE items (position int PRIMARY KEY, body text NOT NULL)")
        var rows = PostgresCopyRows()
        for (position, value) in Self.hostileStrings.enumerated() {
            try rows.append(position)
            try rows.append(value)
            rows.endRow()
        }
        XCTAssertEqual(try connection.copyIn("COPY items (position, body) FROM STDIN", rows: rows), Self.hostileStrings.count)
        let stored = try connection.query("SELECT body FROM items ORDER BY position").map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(stored, Self.hostileStrings)

        let unnested = try connection.query("SELECT u FROM unnest(\(Self.hostileStrings)::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n")
            .map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(unnested, Self.hostileStrings)
    }

    func testTypedDecodingOfEveryType() throws {
        let connection = try database.connect()
        let now = Date(timeIntervalSince1970: 1_700_000_000.654321)
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xff]
        let noText: String? = nil
        let rows = try connection.query("""
            SELECT \(Int64.max)::bigint AS big, \(-7)::int AS small, \(2.5)::float8 AS real, \(true) AS yes,
                   \(now)::timestamptz AS stamp, \(bytes)::bytea AS raw, \(noText)::text AS nothing,
                   '2024-02-29 12:00:00+05:30'::timestamptz AS offset_stamp, 12.34::numeric AS amount
            """)
        let row = rows[0]
        XCTAssertEqual(try row.decode(Int64.self, column: "big"), Int64.max)
        XCTAssertEqual(try row.decode(Int.self, column: "small"), -7)
        XCTAssertEqual(try row.decode(Double.self, column: "real"), 2.5)
        XCTAssertEqual(try row.decode(Bool.self, column: "yes"), true)
        XCTAssertEqual(try row.decode(Date.self, column: "stamp").timeIntervalSince1970, now.timeIntervalSince1970, accuracy: 0.000_001)
        XCTAssertEqual(try row.decode([UInt8].self, column: "raw"), bytes)
        XCTAssertNil(try row.decode(String?.self, column: "nothing"))
        XCTAssertThrowsError(try row.decode(String.self, column: "nothing"))
        XCTAssertEqual(try row.decode(Date.self, column: "offset_stamp").timeIntervalSince1970, 1_709_188_200)
        XCTAssertEqual(try row.decode(Decimal.self, column: "amount"), Decimal(string: "12.34"))
        XCTAssertThrowsError(try row.decode(Int.self, column: "no_such_column"))
        XCTAssertThrowsError(try row.decode(Int.self, column: "real"))
    }

    func testUniqueViolationHasSQLStateAndNoValueInDescription() throws {
        let connection = try database.connect()
        try connection.query("CREATE TABLE people (email text CONSTRAINT people_email_key UNIQUE)")
        let secret = "very-secret-person@example.com"
        try connection.query("INSERT INTO people VALUES (\(secret))")
        XCTAssertThrowsError(try connection.query("INSERT INTO people VALUES (\(secret))")) { error in
            guard let failure = error as? PostgresError else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.sqlState, .uniqueViolation)
            XCTAssertTrue(failure.isUniqueViolation)
            XCTAssertEqual(failure.constraint, "people_email_key")
            XCTAssertEqual(failure.table, "people")
            XCTAssertFalse(failure.isTransient)
            XCTAssertFalse(failure.description.contains(secret), failure.description)
            XCTAssertFalse("\(error)".contains(secret))
            XCTAssertTrue(failure.debugDescription.contains(secret), "detail stays available for debugging")
        }
    }

    func testTransactionRollsBackOnThrowAndCommitsOtherwise() throws {
        let connection = try database.connect()
        try connection.query("CREATE TABLE t (n int PRIMARY KEY)")
        struct Abort: Error {}
        XCTAssertThrowsError(try connection.transaction { tx in
            try tx.query("INSERT INTO t VALUES (1)")
            throw Abort()
        })
        XCTAssertThrowsError(try connection.transaction { tx in
            try tx.query("INSERT INTO t VALUES (2)")
            try tx.query("INSERT INTO t VALUES (2)")  // unique violation aborts the whole transaction
        })
        try connection.transaction { tx in
            try tx.query("INSERT INTO t VALUES (3)")
            // A nested failure rolls back to its savepoint only.
            XCTAssertThrowsError(try tx.transaction { inner in
                try inner.query("INSERT INTO t VALUES (4)")
                throw Abort()
            })
        }
        XCTAssertEqual(try connection.query("SELECT array_agg(n ORDER BY n)::text FROM t").scalar(String.self), "{3}")
        XCTAssertFalse(connection.isInTransaction)
    }

    func testPreparedStatementsAreReused() throws {
        let connection = try database.connect()
        for n in 0..<5 {
            XCTAssertEqual(try connection.queryPrepared("SELECT \(n) + 1").scalar(Int.self), n + 1)
        }
        let prepared = try connection.query("SELECT count(*) FROM pg_prepared_statements").scalar(Int.self)
        XCTAssertEqual(prepared, 1)
    }

    func testNoticesReachTheHandler() throws {
        final class Collected { var notices: [PostgresNotice] = [] }
        let collected = Collected()
        let connection = try database.connect { collected.notices.append($0) }
        try connection.query("DO $$ BEGIN RAISE WARNING 'careful: %', 42; END $$")
        XCTAssertEqual(collected.notices.map(\.message), ["careful: 42"])
        XCTAssertEqual(collected.notices.first?.severity, "WARNING")
    }

    func testListenNotifyRoundTrip() throws {
        let listener = try database.connect()
        let sender = try database.connect()
        try listener.listen("tp events")
        XCTAssertEqual(try listener.pollNotifications(timeout: 0), [])
        try sender.notify("tp events", payload: "hello 'world' ✓")
        let received = try listener.pollNotifications(timeout: 5)
        XCTAssertEqual(received.map(\.channel), ["tp events"])
        XCTAssertEqual(received.map(\.payload), ["hello 'world' ✓"])
        XCTAssertEqual(received.first?.senderProcessID, sender.backendProcessID)
    }

    func testAdvisoryLockIsExclusiveBetweenConnections() throws {
        let first = try database.connect()
        let second = try database.connect()
        let key: Int64 = 0x7470_0001
        XCTAssertTrue(try first.tryAdvisoryLock(key))
        XCTAssertFalse(try second.tryAdvisoryLock(key))
        XCTAssertTrue(try first.advisoryUnlock(key))
        XCTAssertTrue(try second.tryAdvisoryLock(key))
        XCTAssertFalse(try first.tryAdvisoryLock(key))
        XCTAssertFalse(try first.advisoryUnlock(key), "not held by this session")
    }

    func testWorkerRunsBlockingCallsOffTheCooperativePool() async throws {
        let worker = PostgresWorker(conninfo: database.url)
        let value = try await worker.run { connection in
            try connection.query("SELECT \(41) + 1").scalar(Int.self)
        }
        XCTAssertEqual(value, 42)
        // Two workers sleep concurrently; each call still returns its own answer.
        let other = PostgresWorker(conninfo: database.url)
        async let a = worker.run { try $0.query("SELECT 'a' FROM pg_sleep(0.2)").scalar(String.self) }
        async let b = other.run { try $0.query("SELECT 'b' FROM pg_sleep(0.2)").scalar(String.self) }
        let answers = try await [a, b]
        XCTAssertEqual(answers, ["a", "b"])
        await worker.close()
        await other.close()
    }

    func testBadConninfoFailsWithConnectionError() {
        XCTAssertThrowsError(try PostgresConnection("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .connection)
            XCTAssertTrue((error as? PostgresError)?.isTransient ?? false)
        }
    }
}
