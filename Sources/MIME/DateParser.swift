import CivilCalendar
import Foundation

/// RFC 5322 §3.3 dates and the real-world variants: optional weekday, missing seconds, two- and
/// three-digit years (§4.3), named and military zones, `GMT+0200`, ISO-like `2024-01-02 10:00:00`,
/// dots or dashes between the parts, a comment such as `(CET)` after the zone. Computes UTC without
/// Calendar (pure arithmetic) because it runs once per message on the hot path.
public enum DateParser {
    public static func parse(_ text: String) -> Date? {
        var copy = text
        return copy.withUTF8 { parse(bytes: $0) }
    }

    /// Byte-level tokenizer: runs on every message, so no Character iteration and no allocation
    /// beyond the token list.
    static func parse(bytes buf: UnsafeBufferPointer<UInt8>) -> Date? {
        var tokens: [Range<Int>] = []
        var i = 0
        let n = buf.count
        func isSeparator(_ b: UInt8) -> Bool {
            b == ASCII.space || b == ASCII.tab || b == 44 || b == ASCII.cr || b == ASCII.lf || b == 40 || b == 41
        }
        while i < n, tokens.count < 16 {
            let b = buf[i]
            if b == 40 {  // comment: skipped, nesting respected
                var depth = 0
                while i < n {
                    if buf[i] == 40 { depth += 1 } else if buf[i] == 41 { depth -= 1; if depth == 0 { break } }
                    i += 1
                }
                i += 1
                continue
            }
            if isSeparator(b) { i += 1; continue }
            let start = i
            while i < n, !isSeparator(buf[i]) { i += 1 }
            tokens.append(start..<i)
        }
        guard let first = tokens.first else { return nil }
        if first.count >= 10, isDigits(buf, first.lowerBound..<(first.lowerBound + 4)), buf[first.lowerBound + 4] == ASCII.hyphen {
            return parseISO(String(decoding: UnsafeBufferPointer(rebasing: buf[first.lowerBound..<tokens.last!.upperBound]), as: UTF8.self))
        }
        // Split "1-Jan-2024" and "1.Jan.2024" style tokens.
        var expanded: [Range<Int>] = []
        for t in tokens {
            if !buf[t].contains(ASCII.colon), isDigit(buf[t.lowerBound]), buf[t].contains(where: isLetter) {
                var s = t.lowerBound
                for k in t where buf[k] == ASCII.hyphen || buf[k] == 46 {
                    if k > s { expanded.append(s..<k) }
                    s = k + 1
                }
                if s < t.upperBound { expanded.append(s..<t.upperBound) }
            } else {
                expanded.append(t)
            }
        }
        var day: Int?, month: Int?, year: Int?
        var hour = 0, minute = 0, second = 0
        var sawTime = false
        var offsetSeconds: Int?
        for t in expanded {
            let b0 = buf[t.lowerBound]
            if !sawTime, buf[t].contains(ASCII.colon) {
                var parts: [Int] = []
                var value = 0, digits = 0
                for k in t {
                    let c = buf[k]
                    if c == ASCII.colon {
                        parts.append(digits > 0 ? value : -1)
                        value = 0
                        digits = 0
                    } else if isDigit(c) {
                        if digits < 4 { value = value * 10 + Int(c - 48) }
                        digits += 1
                    } else {
                        break  // "10:00:00.123": stop at the first other byte
                    }
                }
                parts.append(digits > 0 ? value : -1)
                guard parts.count >= 2, parts[0] >= 0, parts[1] >= 0 else { continue }
                hour = parts[0]
                minute = parts[1]
                if parts.count >= 3, parts[2] >= 0 { second = parts[2] }
                sawTime = true
                continue
            }
            if isLetter(b0) {
                let lettersOnly = buf[t].allSatisfy { isLetter($0) || $0 == 46 }
                let prefix = t.count >= 3 ? packedLowercase(buf, t.lowerBound..<(t.lowerBound + 3)) : 0
                if month == nil, lettersOnly, let m = monthKeys.firstIndex(of: prefix) {
                    month = m + 1
                    continue
                }
                if lettersOnly, t.count <= 10, weekdayKeys.contains(prefix) { continue }
                guard sawTime, offsetSeconds == nil else { continue }
                if let zone = namedZones[packedLowercase(buf, t)] {
                    offsetSeconds = zone
                } else if prefix == gmtKey || prefix == utcKey {
                    offsetSeconds = t.count == 3 ? 0 : numericOffset(buf, (t.lowerBound + 3)..<t.upperBound)
                } else if t.count == 1, ASCII.lower(b0) != 106 {
                    offsetSeconds = 0  // military zones (not "j"): RFC 5322 §4.3 says to read them as -0000
                }
                continue
            }
            if b0 == 43 || b0 == ASCII.hyphen {
                if t.count >= 3, sawTime || year != nil, offsetSeconds == nil { offsetSeconds = numericOffset(buf, t) }
                continue
            }
            if isDigits(buf, t), t.count <= 4 {
                var v = 0
                for k in t { v = v * 10 + Int(buf[k] - 48) }
                if day == nil, t.count <= 2, month == nil || year == nil { day = v; continue }
                if year == nil { year = v; continue }
                if day == nil { day = v }
            }
        }
        guard let d = day, let m = month, var y = year else { return nil }
        if y < 50 { y += 2000 } else if y < 1000 { y += 1900 }
        guard (1...31).contains(d), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (1000...9999).contains(y), CivilCalendar.isValid(year: y, month: m, day: d) else { return nil }
        let days = CivilCalendar.daysSinceEpoch(year: y, month: m, day: d)
        let local = days * 86_400 + hour * 3_600 + minute * 60 + min(second, 59)
        return Date(timeIntervalSince1970: TimeInterval(local - (offsetSeconds ?? 0)))
    }

    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    @inline(__always) private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 97 && (b | 0x20) <= 122 }
    private static func isDigits(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        !r.isEmpty && buf[r].allSatisfy(isDigit)
    }

    /// Up to eight lowercased bytes packed into an integer: allocation-free keyword comparison.
    private static func packedLowercase(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64 {
        guard r.count <= 8 else { return 0 }
        var v: UInt64 = 0
        for k in r { v = v << 8 | UInt64(ASCII.lower(buf[k])) }
        return v
    }

    private static func pack(_ s: String) -> UInt64 {
        var v: UInt64 = 0
        for b in s.utf8.prefix(8) { v = v << 8 | UInt64(b) }
        return v
    }

    private static let monthKeys = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map(pack)
    private static let weekdayKeys: Set<UInt64> = Set(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(pack))
    private static let gmtKey = pack("gmt"), utcKey = pack("utc")

    /// Named zones seen in real mail. Ambiguous abbreviations (IST, BST) use their most common meaning
    /// in mail headers.
    private static let namedZones: [UInt64: Int] = Dictionary(uniqueKeysWithValues: [
        ("ut", 0), ("gmt", 0), ("utc", 0), ("z", 0), ("wet", 0), ("bst", 3600), ("ist", 19800),
        ("est", -5 * 3600), ("edt", -4 * 3600), ("cst", -6 * 3600), ("cdt", -5 * 3600),
        ("mst", -7 * 3600), ("mdt", -6 * 3600), ("pst", -8 * 3600), ("pdt", -7 * 3600),
        ("akst", -9 * 3600), ("akdt", -8 * 3600), ("hst", -10 * 3600),
        ("cet", 3600), ("met", 3600), ("cest", 7200), ("mest", 7200), ("eet", 7200), ("eest", 10800), ("west", 3600),
        ("msk", 10800), ("msd", 14400), ("jst", 9 * 3600), ("kst", 9 * 3600), ("hkt", 8 * 3600), ("sgt", 8 * 3600),
        ("aest", 10 * 3600), ("aedt", 11 * 3600), ("nzst", 12 * 3600), ("nzdt", 13 * 3600), ("irst", 12600),
    ].map { (pack($0.0), $0.1) })

    private static func numericOffset(_ buf: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        guard let first = r.first else { return nil }
        let sign = buf[first]
        guard sign == 43 || sign == ASCII.hyphen else { return nil }
        var v = 0, digits = 0
        for k in r.dropFirst() where buf[k] != ASCII.colon {
            guard isDigit(buf[k]), digits < 4 else { return nil }
            v = v * 10 + Int(buf[k] - 48)
            digits += 1
        }
        guard digits > 0 else { return nil }
        let (h, m) = digits <= 2 ? (v, 0) : (v / 100, v % 100)
        guard h <= 23, m <= 59 else { return nil }
        return (sign == ASCII.hyphen ? -1 : 1) * (h * 3600 + m * 60)
    }

    private static func numericOffset(_ token: Substring) -> Int? {
        var copy = String(token)
        return copy.withUTF8 { numericOffset($0, 0..<$0.count) }
    }

    /// `2024-01-02T10:00:00Z`, `2024-01-02 10:00:00 +0100`.
    private static func parseISO(_ s: String) -> Date? {
        let chars = Array(s.utf8)
        func num(_ lo: Int, _ len: Int) -> Int? {
            guard lo + len <= chars.count else { return nil }
            var v = 0
            for k in lo..<(lo + len) { guard chars[k] >= 48, chars[k] <= 57 else { return nil }; v = v * 10 + Int(chars[k] - 48) }
            return v
        }
        guard chars.count >= 10, let y = num(0, 4), chars[4] == 45, let m = num(5, 2), chars[7] == 45, let d = num(8, 2),
              CivilCalendar.isValid(year: y, month: m, day: d) else { return nil }
        var seconds = CivilCalendar.daysSinceEpoch(year: y, month: m, day: d) * 86_400
        if chars.count >= 16, let h = num(11, 2), let mi = num(14, 2), h < 24, mi < 60 {
            seconds += h * 3600 + mi * 60
            var rest = 16
            if chars.count >= 19, chars[16] == ASCII.colon, let sec = num(17, 2), sec <= 60 { seconds += min(sec, 59); rest = 19 }
            while rest < chars.count, chars[rest] == 46 || (chars[rest] >= 48 && chars[rest] <= 57) { rest += 1 }
            let zone = String(decoding: chars[rest...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if zone.isEmpty || zone == "Z" || zone == "z" { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
            if let off = numericOffset(Substring(zone)) { seconds -= off }
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// RFC 3339 UTC with a `Z`, e.g. `2024-01-01T09:01:00Z`.
    public static func rfc3339(_ date: Date) -> String {
        let (days, second) = CivilCalendar.split(secondsSinceEpoch: Int(date.timeIntervalSince1970.rounded(.down)))
        let (y, m, d) = CivilCalendar.date(daysSinceEpoch: days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(second / 3600, 2)):\(pad(second % 3600 / 60, 2)):\(pad(second % 60, 2))Z"
    }

    /// RFC 5322 date for outgoing mail, in UTC: `Mon, 01 Jan 2024 09:01:00 +0000`.
    public static func rfc5322(_ date: Date) -> String {
        let (days, second) = CivilCalendar.split(secondsSinceEpoch: Int(date.timeIntervalSince1970.rounded(.down)))
        let (y, m, d) = CivilCalendar.date(daysSinceEpoch: days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]  // day 0 was a Thursday
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
        return "\(weekday), \(pad(d, 2)) \(month) \(pad(y, 4)) \(pad(second / 3600, 2)):\(pad(second % 3600 / 60, 2)):\(pad(second % 60, 2)) +0000"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
