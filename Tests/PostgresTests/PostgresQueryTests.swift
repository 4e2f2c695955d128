import Foundation
import XCTest
@testable import Postgres

/// Pure tests: no server needed.
final class PostgresQueryTests: XCTestCase {
    func testInterpolationsBecomeNumberedParameters() {
        let email = "a'b@example.com"
        let minimum = 42
        let query: PostgresQuery = "SELECT id FROM contacts WHERE email = \(email) AND id > \(minimum)"
        XCTAssertEqual(query.sql, "SELECT id FROM contacts WHERE email = $1 AND id > $2")
        XCTAssertEqual(query.binds, [.text("a'b@example.com"), .text("42")])
    }

    func testNilBecomesNullAndUnescapedIsSpliced() {
        let missing: String? = nil
        let query: PostgresQuery = "INSERT INTO \(unescaped: "t") VALUES (\(missing), \([UInt8]([1, 2])))"
        XCTAssertEqual(query.sql, "INSERT INTO t VALUES ($1, $2)")
        XCTAssertEqual(query.binds, [.null, .binary([1, 2])])
    }

    func testArrayLiteralQuotesEveryElement() {
        let values: [String?] = ["plain", "with,comma", "quote\"and\\slash", nil, "NULL", "{brace}"]
        XCTAssertEqual(PostgresArrayLiteral.encode(values),
                       #"{"plain","with,comma","quote\"and\\slash",NULL,"NULL","{brace}"}"#)
    }

    func testCopyRowsEscapeControlCharactersAndRejectNUL() throws {
        var rows = PostgresCopyRows()
        try rows.append("tab\there")
        try rows.append("line\nbreak\r\\")
        try rows.append(String?.none)
        try rows.append(PostgresBytes([0xde, 0xad]))
        rows.endRow()
        XCTAssertEqual(String(decoding: rows.bytes, as: UTF8.self),
                       "tab\\there\tline\\nbreak\\r\\\\\t\\N\t\\\\xdead\n")
        XCTAssertThrowsError(try rows.append("nul\u{0}byte")) { error in
            XCTAssertEqual((error as? PostgresError)?.kind, .usage)
        }
    }

    func testTimestampFormatAndParseRoundTrip() throws {
        let samples: [Double] = [0, 1_700_000_000.123456, -86_400.5, 951_782_400, 4_102_444_799.999999]
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let text = PostgresTimestamp.format(date)
            let parsed = try XCTUnwrap(text.utf8CString.withUnsafeBytes {
                PostgresTimestamp.parse(UnsafeRawBufferPointer(rebasing: $0.dropLast()))
            }, text)
            XCTAssertEqual(parsed.timeIntervalSince1970, seconds, accuracy: 0.000_001, text)
        }
        XCTAssertEqual(PostgresTimestamp.format(Date(timeIntervalSince1970: 951_782_400)), "2000-02-29 00:00:00.000000+00")
    }

    func testTimestampParsesOffsetsAndRejectsGarbage() {
        func parse(_ text: String) -> Double? {
            Array(text.utf8).withUnsafeBytes { PostgresTimestamp.parse($0)?.timeIntervalSince1970 }
        }
        XCTAssertEqual(parse("2024-01-01 02:00:00+02"), 1_704_067_200)
        XCTAssertEqual(parse("2024-01-01 05:30:00+05:30"), 1_704_067_200)
        XCTAssertEqual(parse("2023-12-31 23:00:00-01"), 1_704_067_200)
        XCTAssertEqual(parse("2024-01-01"), 1_704_067_200)
        XCTAssertNil(parse("infinity"))
        XCTAssertNil(parse("2024-13-01"))
        XCTAssertNil(parse("2024-01-01 00:00:00+00junk"))
    }

    func testErrorDescriptionWithholdsDetailAndQuotedValues() {
        let unique = PostgresError(kind: .server, message: "duplicate key value violates unique constraint \"t_email_key\"",
                                   sqlState: .uniqueViolation, severity: "ERROR",
                                   detail: "Key (email)=(secret@example.com) already exists.", constraint: "t_email_key")
        XCTAssertFalse(unique.description.contains("secret"))
        XCTAssertTrue(unique.description.contains("23505"))
        XCTAssertTrue(unique.debugDescription.contains("secret@example.com"))
        let syntax = PostgresError(kind: .server, message: "invalid input syntax for type integer: \"hunter2\"",
                                   sqlState: .invalidTextRepresentation, severity: "ERROR")
        XCTAssertFalse(syntax.description.contains("hunter2"))
        XCTAssertTrue(syntax.description.contains("invalid input syntax for type integer"))
    }

    func testTransientClassification() {
        XCTAssertTrue(PostgresError(kind: .server, message: "", sqlState: .serializationFailure).isTransient)
        XCTAssertTrue(PostgresError(kind: .server, message: "", sqlState: .deadlockDetected).isTransient)
        XCTAssertTrue(PostgresError(kind: .server, message: "", sqlState: .adminShutdown).isTransient)
        XCTAssertTrue(PostgresError(kind: .connection, message: "").isTransient)
        XCTAssertFalse(PostgresError(kind: .server, message: "", sqlState: .uniqueViolation).isTransient)
        XCTAssertFalse(PostgresError(kind: .invalidParameter(index: 1), message: "").isTransient)
    }
}
