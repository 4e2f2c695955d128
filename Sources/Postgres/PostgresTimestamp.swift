import CivilCalendar
import Foundation

/// Text-format timestamps without DateFormatter: decoding a column of 100k timestamps must
/// not cost seconds. The connection pins `DateStyle=ISO` so the server always answers
/// `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]]`.
enum PostgresTimestamp {
    /// Years outside 0000...9999 are clamped (the product never stores them; the parser rejects them).
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        var micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        micros %= 1_000_000
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let civil = CivilCalendar.date(daysSinceEpoch: Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        // Written digit by digit into one small buffer: this runs once per timestamp of
        // every batch column, and string interpolation per field cost ~2 µs each.
        var bytes = [UInt8](repeating: UInt8(ascii: "0"), count: 29)
        func put(_ value: Int64, at end: Int, width: Int) {
            var remaining = value < 0 ? 0 : value
            for offset in 0..<width {
                bytes[end - offset] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
        }
        put(min(year, 9999), at: 3, width: 4); bytes[4] = UInt8(ascii: "-")
        put(month, at: 6, width: 2); bytes[7] = UInt8(ascii: "-")
        put(day, at: 9, width: 2); bytes[10] = UInt8(ascii: " ")
        put(secondOfDay / 3600, at: 12, width: 2); bytes[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, at: 15, width: 2); bytes[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, at: 18, width: 2); bytes[19] = UInt8(ascii: ".")
        put(micros, at: 25, width: 6)
        bytes[26] = UInt8(ascii: "+"); bytes[27] = UInt8(ascii: "0"); bytes[28] = UInt8(ascii: "0")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `timestamptz`, `timestamp` (taken as UTC) and `date` text. Nil for anything else
    /// (including `infinity`, BC dates and years beyond 9999, which the product never stores).
    static func parse(_ text: UnsafeRawBufferPointer) -> Date? {
        var reader = DigitReader(bytes: text)
        guard let year = reader.number(digits: 4), reader.skip("-"),
              let month = reader.number(digits: 2), reader.skip("-"),
              let day = reader.number(digits: 2) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Int64(CivilCalendar.daysSinceEpoch(year: Int(year), month: Int(month), day: Int(day))) * 86_400
        var fraction = 0.0
        if reader.skip(" ") || reader.skip("T") {
            guard let hour = reader.number(digits: 2), reader.skip(":"),
                  let minute = reader.number(digits: 2), reader.skip(":"),
                  let second = reader.number(digits: 2) else { return nil }
            seconds += hour * 3600 + minute * 60 + second
            if reader.skip(".") {
                var scale = 0.1
                while let digit = reader.digit() {
                    fraction += Double(digit) * scale
                    scale /= 10
                }
            }
            if let sign = reader.sign() {
                guard let offsetHours = reader.number(digits: 2) else { return nil }
                var offset = offsetHours * 3600
                if reader.skip(":"), let offsetMinutes = reader.number(digits: 2) {
                    offset += offsetMinutes * 60
                    if reader.skip(":"), let offsetSeconds = reader.number(digits: 2) {
                        offset += offsetSeconds
                    }
                }
                seconds -= sign * offset
            }
        }
        guard reader.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

private struct DigitReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var atEnd: Bool { position == bytes.count }

    mutating func digit() -> Int64? {
        guard position < bytes.count else { return nil }
        let byte = bytes[position]
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        position += 1
        return Int64(byte - UInt8(ascii: "0"))
    }

    mutating func number(digits count: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<count {
            guard let next = digit() else { return nil }
            value = value * 10 + next
        }
        return value
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
        position += 1
        return true
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
