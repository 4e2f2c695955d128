import Foundation

/// One bind parameter as it goes on the wire: SQL NULL, text format, or binary format
/// (used for `bytea`, so bytes need no hex escaping).
public enum PostgresBind: Sendable, Equatable {
    case null
    case text(String)
    case binary([UInt8])
}

/// A Swift value that can be sent as a bind parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

extension String: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(self) }
}
extension Substring: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension UInt32: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension UInt64: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self)) }
}
extension Double: PostgresEncodable {
    // Swift's description round-trips exactly; PostgreSQL spells the specials differently.
    public var postgresBind: PostgresBind {
        if isNaN { return .text("NaN") }
        if isInfinite { return .text(self > 0 ? "Infinity" : "-Infinity") }
        return .text(String(self))
    }
}
extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(self ? "t" : "f") }
}
extension Decimal: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(NSDecimalNumber(decimal: self).stringValue) }
}
extension UUID: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(uuidString) }
}
extension Date: PostgresEncodable {
    /// Sent as an explicit-UTC ISO timestamp with microseconds, PostgreSQL's own precision.
    public var postgresBind: PostgresBind { .text(PostgresTimestamp.format(self)) }
}
extension Array: PostgresEncodable where Element: PostgresArrayElement {
    /// Arrays travel as one text-format array literal, which lets a whole batch column ride in
    /// one parameter (`unnest($1::text[], …)`): no 65535-parameter ceiling, one round trip.
    public var postgresBind: PostgresBind { .text(PostgresArrayLiteral.encode(self)) }
}
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBind: PostgresBind {
        switch self {
        case .none: return .null
        case .some(let value): return value.postgresBind
        }
    }
}

/// Bytes sent as `bytea` in binary format. A distinct type so `[UInt8]` never turns into an int array.
public struct PostgresBytes: PostgresEncodable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ data: Data) { self.bytes = [UInt8](data) }
    public var postgresBind: PostgresBind { .binary(bytes) }
}

/// Element types allowed inside an array parameter.
public protocol PostgresArrayElement: PostgresEncodable {}
extension String: PostgresArrayElement {}
extension Int: PostgresArrayElement {}
extension Int64: PostgresArrayElement {}
extension Int32: PostgresArrayElement {}
extension UInt32: PostgresArrayElement {}
extension UInt64: PostgresArrayElement {}
extension Double: PostgresArrayElement {}
extension Bool: PostgresArrayElement {}
extension Date: PostgresArrayElement {}
extension Decimal: PostgresArrayElement {}
extension UUID: PostgresArrayElement {}
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {}

enum PostgresArrayLiteral {
    /// `{"a","b\"c",NULL}`: every element double-quoted (so commas, braces, spaces and the word
    /// NULL are data), with `"` and `\` backslash-escaped as array input requires.
    static func encode<Element: PostgresArrayElement>(_ elements: [Element]) -> String {
        var out = "{"
        out.reserveCapacity(elements.count * 16 + 2)
        var first = true
        for element in elements {
            if !first { out += "," }
            first = false
            switch element.postgresBind {
            case .null: out += "NULL"
            case .text(let text): appendQuoted(text, to: &out)
            case .binary(let bytes): appendQuoted("\\x" + PostgresHex.encode(bytes), to: &out)
            }
        }
        out += "}"
        return out
    }

    private static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        if PostgresBytesScan.contains(UInt8(ascii: "\""), in: text) || PostgresBytesScan.contains(UInt8(ascii: "\\"), in: text) {
            for scalar in text.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
        } else {
            out += text
        }
        out += "\""
    }
}

enum PostgresHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
