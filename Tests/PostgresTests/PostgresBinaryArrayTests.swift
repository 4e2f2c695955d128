import Foundation
import XCTest
@testable import Postgres

/// Binary array parameters: the wire layout (pure) and what the server makes of it (stack).
final class PostgresBinaryArrayTests: XCTestCase {
    private var database: TestDatabase?

    override func tearDown() {
        database?.drop()
    }

    private func connect() throws -> PostgresConnection {
        let created = try TestDatabase()
        database = created
        return try created.connect()
    }

    func testWireLayoutOfAnInt8ArrayWithNull() {
        let array = PostgresBinaryArray([Int64(-2), nil])
        XCTAssertEqual(array.bytes, [
            0, 0, 0, 1,  // one dimension
            0, 0, 0, 1,  // has NULLs
            0, 0, 0, 20,  // int8
            0, 0, 0, 2, 0, 0, 0, 1,  // two elements from index 1
            0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
            0xff, 0xff, 0xff, 0xff,  // length -1: NULL
        ])
        XCTAssertEqual(array.postgresBind, .binary(array.bytes))
        XCTAssertEqual(PostgresBinaryArray([Int64]()).bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20])
    }

    func testDatesAreMicrosecondsSince2000RoundedLikeText() {
        XCTAssertEqual(Date(timeIntervalSince1970: 946_684_800).postgresBinaryValue, 0)
        XCTAssertEqual(Date(timeIntervalSince1970: 946_684_800.000_000_6).postgresBinaryValue, 1)
        XCTAssertEqual(Date(timeIntervalSince1970: 0).postgresBinaryValue, -946_684_800_000_000)
        XCTAssertEqual(Date(timeIntervalSince1970: .nan).postgresBinaryValue, Int64.max - 1, "never a trap")
        XCTAssertEqual(Date(timeIntervalSince1970: -1e300).postgresBinaryValue, Int64.min + 1)
    }

    func testExtremeIntegersAndNullsRoundTrip() throws {
        let connection = try connect()
        let values: [Int64?] = [Int64.min, -1, 0, nil, 1, Int64.max, nil]
        let text = try connection.query("""
            SELECT array_to_string(\(PostgresBinaryArray(values))::bigint[], ',', 'NULL')
            """).scalar(String.self)
        XCTAssertEqual(text, "-9223372036854775808,-1,0,NULL,1,9223372036854775807,NULL")
        let uids: [UInt32] = [1, UInt32.max]
        XCTAssertEqual(try connection.query("SELECT sum(u)::text FROM unnest(\(PostgresBinaryArray(uids))::bigint[]) u")
            .scalar(String.self), "4294967296")
        let ints = [Int](0..<200_000)
        XCTAssertEqual(try connection.query("SELECT sum(u)::text, count(*) FROM unnest(\(PostgresBinaryArray(ints))::bigint[]) u")
            .first?.decode(String.self, at: 0), "19999900000")
        XCTAssertEqual(try connection.query("SELECT cardinality(\(PostgresBinaryArray([Int]()))::bigint[])").scalar(Int.self), 0)
    }

    func testDatesMatchTheTextFormatExactly() throws {
        let connection = try connect()
        let dates: [Date?] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_700_000_000.123456),
            Date(timeIntervalSince1970: -86_400.5), Date(timeIntervalSince1970: 951_782_400), nil,
            Date(timeIntervalSince1970: 4_102_444_799.999999), Date.distantFuture,
            Date(timeIntervalSince1970: 1_700_000_000.000_000_4),
        ]
        let same = try connection.query("""
            SELECT \(PostgresBinaryArray(dates))::timestamptz[] IS NOT DISTINCT FROM \(dates)::timestamptz[]
            """).scalar(Bool.self)
        XCTAssertTrue(same)
        let known = try connection.query("""
            SELECT (\(PostgresBinaryArray([Date(timeIntervalSince1970: 1_700_000_000.123456)]))::timestamptz[])[1]
                   = '2023-11-14 22:13:20.123456+00'::timestamptz
            """).scalar(Bool.self)
        XCTAssertTrue(known)
        // Before year 1 the text format cannot go (it has no BC); binary can.
        let bc = try connection.query("""
            SELECT (\(PostgresBinaryArray([Date.distantPast]))::timestamptz[])[1] = '0001-12-30 00:00:00+00 BC'::timestamptz
            """).scalar(Bool.self)
        XCTAssertTrue(bc)
    }

    func testUnrepresentableDatesFailCleanlyAndTheConnectionSurvives() throws {
        let connection = try connect()
        for hostile in [Date(timeIntervalSince1970: .nan), Date(timeIntervalSince1970: .infinity), Date(timeIntervalSince1970: 1e17)] {
            XCTAssertThrowsError(try connection.query("SELECT \(PostgresBinaryArray([hostile]))::timestamptz[]")) { error in
                let failure = error as? PostgresError
                XCTAssertEqual(failure?.kind, .server, "\(error)")
                XCTAssertEqual(failure?.sqlState?.errorClass, "22", "a data exception: \(error)")
            }
            XCTAssertEqual(try connection.query("SELECT 1").scalar(Int.self), 1)
        }
    }

    func testACastToAnotherElementTypeIsRefusedNotConverted() throws {
        let connection = try connect()
        XCTAssertThrowsError(try connection.query("SELECT \(PostgresBinaryArray([1, 2]))::int[]")) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .server, "\(error)")
        }
        XCTAssertThrowsError(try connection.query("SELECT \(PostgresBinaryArray([Date()]))::timestamp[]"))
        XCTAssertEqual(try connection.query("SELECT 1").scalar(Int.self), 1)
    }

    func testBinaryArraysWorkInPreparedStatementsNextToTextParameters() throws {
        let connection = try connect()
        try connection.query("CREATE TABLE items (id bigint PRIMARY KEY, body text NOT NULL, at timestamptz)")
        let hostile = ["O'Brien", "'; DROP TABLE items; --", "emoji 👩‍👩‍👧‍👦", "{\"a\",NULL}"]
        let at = Date(timeIntervalSince1970: 1_234_567_890.5)
        for round in 0..<7 {  // past the server's switch to a generic plan after five executions
            let ids = hostile.indices.map { Int64(round * 10 + $0) }
            let inserted = try connection.queryPrepared("""
                INSERT INTO items (id, body, at)
                SELECT * FROM unnest(\(PostgresBinaryArray(ids))::bigint[], \(hostile)::text[],
                                     \(PostgresBinaryArray([Date?](repeating: at, count: hostile.count)))::timestamptz[])
                """).affectedRows
            XCTAssertEqual(inserted, hostile.count)
        }
        XCTAssertEqual(try connection.query("SELECT count(*) FROM items WHERE at = \(at)").scalar(Int.self), 7 * hostile.count)
        let bodies = try connection.query("SELECT body FROM items WHERE id < 10 ORDER BY id").map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(bodies, hostile)
    }

    func testHostileTextRoundTripsInBinary() throws {
        let connection = try connect()
        let values: [String?] = PostgresConnectionTests.hostileStrings + [nil, ""]
        let back = try connection.query("""
            SELECT u FROM unnest(\(try PostgresBinaryArray(values))::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n
            """).map { try $0.decode(String?.self, at: 0) }
        XCTAssertEqual(back, values)
        let plain = try connection.query("SELECT cardinality(\(try PostgresBinaryArray(["a", "b"]))::text[])").scalar(Int.self)
        XCTAssertEqual(plain, 2)
    }

    func testNulInABinaryTextArrayIsRefusedBeforeSending() {
        XCTAssertThrowsError(try PostgresBinaryArray(["fine", "nul\u{0}inside"])) { error in
            let failure = error as? PostgresError
            XCTAssertEqual(failure?.kind, .usage)
            XCTAssertTrue(failure?.description.contains("element 2") ?? false, "\(error)")
            XCTAssertFalse(failure?.description.contains("inside") ?? true, "the value stays out of the message")
        }
    }
}
