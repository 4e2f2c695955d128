import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An array parameter in PostgreSQL's binary array format, for the columns of a batch: the
/// server copies length-prefixed values instead of parsing a quoted literal (`timestamptz` text
/// input alone costs ~1.4 µs per element), and the client writes bytes instead of formatting
/// digits and escaping quotes.
///
///     tx.query("SELECT * FROM unnest(\(PostgresBinaryArray(ids))::bigint[], \(try PostgresBinaryArray(names))::text[])")
///
/// The SQL cast must name the element's own type (`PostgresBinaryArrayElement.postgresTypeName`,
/// `text` for strings): binary input is not coerced, so `::int[]` on 8-byte integers fails with a
/// server error ("wrong element type") instead of converting. The text-literal form
/// (`PostgresArrayElement`) stays for arrays whose SQL type differs from the Swift one.
public struct PostgresBinaryArray: PostgresEncodable, Equatable {
    /// The whole wire value: header, one dimension, then length-prefixed elements.
    public let bytes: [UInt8]

    public init<Element: PostgresBinaryArrayElement>(_ values: [Element]) {
        var writer = Writer(count: values.count, elementWidth: Element.postgresBinaryWidth,
                            hasNull: false, elementType: Element.postgresTypeOID)
        for value in values { writer.append(value) }
        bytes = writer.bytes
    }

    /// nil elements become SQL NULL.
    public init<Element: PostgresBinaryArrayElement>(_ values: [Element?]) {
        var writer = Writer(count: values.count, elementWidth: Element.postgresBinaryWidth,
                            hasNull: values.contains(where: { $0 == nil }), elementType: Element.postgresTypeOID)
        for value in values {
            if let value { writer.append(value) } else { writer.appendNull() }
        }
        bytes = writer.bytes
    }

    /// A `text[]` in binary: no quoting on our side, no unescaping on the server's.
    /// - Throws: `.usage` when an element holds a NUL byte, which PostgreSQL text cannot store.
    public init(_ values: [String?]) throws {
        let payload = values.reduce(0) { $0 + ($1?.utf8.count ?? 0) }
        var writer = Writer(count: values.count, elementWidth: 0, hasNull: values.contains(where: { $0 == nil }),
                            elementType: Self.textTypeOID, payloadBytes: payload)
        for (position, value) in values.enumerated() {
            guard let value else { writer.appendNull(); continue }
            try writer.appendText(value, position: position)
        }
        bytes = writer.bytes
    }

    public init(_ values: [String]) throws {
        let payload = values.reduce(0) { $0 + $1.utf8.count }
        var writer = Writer(count: values.count, elementWidth: 0, hasNull: false, elementType: Self.textTypeOID,
                            payloadBytes: payload)
        for (position, value) in values.enumerated() { try writer.appendText(value, position: position) }
        bytes = writer.bytes
    }

    static let textTypeOID: UInt32 = 25

    public var postgresBind: PostgresBind { .binary(bytes) }

    private struct Writer {
        var bytes: [UInt8] = []

        init(count: Int, elementWidth: Int, hasNull: Bool, elementType: UInt32, payloadBytes: Int = 0) {
            bytes.reserveCapacity(20 + count * (4 + elementWidth) + payloadBytes)
            // An empty array has no dimensions (that is how the server writes `{}` too).
            appendBigEndian(UInt32(count == 0 ? 0 : 1))
            appendBigEndian(UInt32(hasNull ? 1 : 0))
            appendBigEndian(elementType)
            if count > 0 {
                appendBigEndian(UInt32(truncatingIfNeeded: count))
                appendBigEndian(UInt32(1))  // lower bound
            }
        }

        mutating func append<Element: PostgresBinaryArrayElement>(_ value: Element) {
            appendBigEndian(UInt32(Element.postgresBinaryWidth))
            appendBigEndian(UInt64(bitPattern: value.postgresBinaryValue))
        }

        mutating func appendText(_ text: String, position: Int) throws {
            var text = text
            try text.withUTF8 { utf8 in
                if let base = utf8.baseAddress, memchr(base, 0, utf8.count) != nil {
                    throw PostgresError(kind: .usage, message:
                        "element \(position + 1) of a text array contains a NUL byte, which PostgreSQL text cannot store")
                }
                guard utf8.count <= Int(Int32.max) else {
                    throw PostgresError(kind: .usage, message: "element \(position + 1) of a text array is larger than 2 GiB")
                }
                appendBigEndian(UInt32(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }

        mutating func appendNull() {
            appendBigEndian(UInt32.max)  // length -1
        }

        private mutating func appendBigEndian<Word: FixedWidthInteger>(_ word: Word) {
            withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) }
        }
    }
}

/// A fixed-width (8-byte) element type with a binary wire form.
public protocol PostgresBinaryArrayElement: Sendable {
    /// pg_type OID of the element (`int8` = 20, `timestamptz` = 1184).
    static var postgresTypeOID: UInt32 { get }
    /// The type the SQL must cast the array to, e.g. `bigint` for `::bigint[]`.
    static var postgresTypeName: String { get }
    /// The 8 bytes of the element, as a signed integer (sent big-endian).
    var postgresBinaryValue: Int64 { get }
}

extension PostgresBinaryArrayElement {
    static var postgresBinaryWidth: Int { 8 }
}

extension Int64: PostgresBinaryArrayElement {
    public static var postgresTypeOID: UInt32 { 20 }
    public static var postgresTypeName: String { "bigint" }
    public var postgresBinaryValue: Int64 { self }
}

extension Int: PostgresBinaryArrayElement {
    public static var postgresTypeOID: UInt32 { 20 }
    public static var postgresTypeName: String { "bigint" }
    public var postgresBinaryValue: Int64 { Int64(self) }
}

/// IMAP UIDs and UIDVALIDITY values: always representable as `bigint`.
extension UInt32: PostgresBinaryArrayElement {
    public static var postgresTypeOID: UInt32 { 20 }
    public static var postgresTypeName: String { "bigint" }
    public var postgresBinaryValue: Int64 { Int64(self) }
}

extension Date: PostgresBinaryArrayElement {
    public static var postgresTypeOID: UInt32 { 1184 }
    public static var postgresTypeName: String { "timestamptz" }

    /// Microseconds since 2000-01-01 UTC, rounded like the text format. A date beyond what
    /// 64 bits of microseconds hold (or NaN) is sent as a value just short of `infinity`, which the
    /// server rejects with "timestamp out of range" rather than storing something else.
    public var postgresBinaryValue: Int64 {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        let limit = 9.2e18
        guard micros.isFinite, micros > -limit, micros < limit else {
            return micros < 0 ? Int64.min + 1 : Int64.max - 1
        }
        return Int64(micros) - Self.postgresEpochOffsetMicros
    }

    /// 1970-01-01 to 2000-01-01 in microseconds.
    private static let postgresEpochOffsetMicros: Int64 = 946_684_800_000_000
}
