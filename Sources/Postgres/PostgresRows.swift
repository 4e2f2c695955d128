internal import CLibPQ
import Foundation

/// The result of one statement. Owns the libpq result and decodes fields lazily from it,
/// so reading 100k rows costs no intermediate copies.
public final class PostgresRows: RandomAccessCollection {
    let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(PQntuples(result)) }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    public var columnCount: Int { Int(PQnfields(result)) }
    public var columnNames: [String] { (0..<columnCount).map(columnName) }
    public func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }
    public func columnIndex(named name: String) -> Int? {
        let index = Int(PQfnumber(result, "\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\""))
        return index >= 0 ? index : nil
    }

    /// Rows inserted/updated/deleted/copied, from the command tag (0 when the tag has no count).
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    /// The single value of a one-row, one-column result (e.g. `SELECT count(*) …`).
    public func scalar<Value: PostgresDecodable>(_ type: Value.Type) throws -> Value {
        guard count == 1, columnCount >= 1 else {
            throw PostgresError(kind: .decoding(column: columnCount > 0 ? columnName(0) : "?"),
                                message: "expected one row, got \(count)")
        }
        return try self[0].decode(type, at: 0)
    }

    func field(row: Int, column: Int) throws -> PostgresField {
        guard row >= 0, row < count, column >= 0, column < columnCount else {
            throw PostgresError(kind: .decoding(column: "#\(column)"),
                                message: "row \(row) column \(column) is out of range (\(count)×\(columnCount))")
        }
        let name = columnName(column)
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
            return PostgresField(columnName: name, bytes: nil)
        }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        let pointer = UnsafeRawPointer(PQgetvalue(result, Int32(row), Int32(column)))
        return PostgresField(columnName: name, bytes: UnsafeRawBufferPointer(start: pointer, count: length))
    }
}

/// One row; valid while its `PostgresRows` is alive (it keeps it alive).
public struct PostgresRow {
    let rows: PostgresRows
    public let index: Int

    public func decode<Value: PostgresDecodable>(_ type: Value.Type, at column: Int) throws -> Value {
        try Value.decode(from: rows.field(row: index, column: column))
    }

    public func decode<Value: PostgresDecodable>(_ type: Value.Type, column name: String) throws -> Value {
        guard let column = rows.columnIndex(named: name) else {
            throw PostgresError(kind: .decoding(column: name), message: "no column named \(name) in the result")
        }
        return try decode(type, at: column)
    }
}

/// One field in text format; `bytes` is nil for SQL NULL. Only valid inside `decode(from:)`.
public struct PostgresField {
    public let columnName: String
    public let bytes: UnsafeRawBufferPointer?

    public var isNull: Bool { bytes == nil }

    public func nonNullBytes() throws -> UnsafeRawBufferPointer {
        guard let bytes else {
            throw PostgresError(kind: .decoding(column: columnName), message: "column \(columnName) is NULL")
        }
        return bytes
    }

    func failure(_ type: String) -> PostgresError {
        PostgresError(kind: .decoding(column: columnName), message: "column \(columnName) is not a valid \(type)")
    }
}

public protocol PostgresDecodable {
    static func decode(from field: PostgresField) throws -> Self
}

extension String: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> String {
        String(decoding: try field.nonNullBytes(), as: UTF8.self)
    }
}

extension Int64: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Int64 {
        let bytes = try field.nonNullBytes()
        var position = 0
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; position = 1 }
        guard position < bytes.count else { throw field.failure("integer") }
        var value: Int64 = 0
        while position < bytes.count {
            let byte = bytes[position]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw field.failure("integer") }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw field.failure("64-bit integer") }
            value = next
            position += 1
        }
        return value
    }
}

extension Int: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Int { Int(try Int64.decode(from: field)) }
}

extension Int32: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Int32 {
        guard let value = Int32(exactly: try Int64.decode(from: field)) else { throw field.failure("32-bit integer") }
        return value
    }
}

extension UInt32: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> UInt32 {
        guard let value = UInt32(exactly: try Int64.decode(from: field)) else { throw field.failure("unsigned 32-bit integer") }
        return value
    }
}

extension UInt64: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> UInt64 {
        guard let value = UInt64(String(decoding: try field.nonNullBytes(), as: UTF8.self)) else {
            throw field.failure("unsigned 64-bit integer")
        }
        return value
    }
}

extension Double: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Double {
        let text = String(decoding: try field.nonNullBytes(), as: UTF8.self)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw field.failure("double") }
            return value
        }
    }
}

extension Decimal: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Decimal {
        let text = String(decoding: try field.nonNullBytes(), as: UTF8.self)
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw field.failure("numeric")
        }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Bool {
        let bytes = try field.nonNullBytes()
        guard bytes.count == 1 else { throw field.failure("boolean") }
        switch bytes[0] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw field.failure("boolean")
        }
    }
}

extension Date: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Date {
        guard let date = PostgresTimestamp.parse(try field.nonNullBytes()) else { throw field.failure("timestamp") }
        return date
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// `bytea` in text format: `\x` followed by hex digits (the default `bytea_output`).
    public static func decode(from field: PostgresField) throws -> [UInt8] {
        let bytes = try field.nonNullBytes()
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "\\"), bytes[1] == UInt8(ascii: "x"),
              bytes.count % 2 == 0 else { throw field.failure("bytea (hex format)") }
        var out = [UInt8]()
        out.reserveCapacity((bytes.count - 2) / 2)
        var position = 2
        while position < bytes.count {
            guard let high = PostgresHex.value(of: bytes[position]),
                  let low = PostgresHex.value(of: bytes[position + 1]) else { throw field.failure("bytea (hex format)") }
            out.append(high << 4 | low)
            position += 2
        }
        return out
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from field: PostgresField) throws -> Wrapped? {
        field.isNull ? nil : try Wrapped.decode(from: field)
    }
}
