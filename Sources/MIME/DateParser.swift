import Foundation

/// RFC 5322 §3.3 dates and the real-world variants: optional weekday, missing seconds, two- and
/// three-digit years (§4.3), named and military zones, `GMT+0200`, ISO-like `2024-01-02 10:00:00`,
/// dots or dashes between the parts, a comment such as `(CET)` after the zone. Computes UTC without
/// Calendar (pure arithmetic) because it runs once per message on the hot path.
public enum DateParser {
    public static func parse(_ text: String) -> Date? {
        var tokens: [Substring] = []
        var current = Substring()
        var startIndex = text.startIndex
        var inComment = 0
        for idx in text.indices {
            let c = text[idx]
            if c == "(" { inComment += 1 }
            let separator = c == " " || c == "," || c == "\t" || c == "(" || c == ")" || c == "\r" || c == "\n"
            if separator || inComment > 0 {
                if !current.isEmpty { tokens.append(current) }
                current = Substring()
                startIndex = text.index(after: idx)
                if c == ")" { inComment = max(0, inComment - 1) }
                continue
            }
            current = text[startIndex...idx]
        }
        if !current.isEmpty { tokens.append(current) }
        if let first = tokens.first, first.count >= 10, first.utf8.prefix(4).allSatisfy({ $0 >= 48 && $0 <= 57 }),
           first.utf8.dropFirst(4).first == ASCII.hyphen {
            return parseISO(tokens.joined(separator: " "))
        }
        // Split "1-Jan-2024" and "1.Jan.2024" style day-month-year tokens.
        var expanded: [Substring] = []
        for t in tokens {
            if !t.contains(":"), t.first?.isNumber == true, t.contains(where: { $0 == "-" || $0 == "." }),
               t.contains(where: { $0.isLetter }) {
                expanded += t.split(whereSeparator: { $0 == "-" || $0 == "." })
            } else {
                expanded.append(t)
            }
        }
        var day: Int?, month: Int?, year: Int?
        var hour = 0, minute = 0, second = 0
        var sawTime = false
        var offsetSeconds: Int?
        for token in expanded {
            let lower = token.lowercased()
            if !sawTime, token.contains(":") {
                let parts = token.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count >= 2, let h = Int(parts[0]), let m = Int(parts[1]) else { continue }
                hour = h; minute = m
                if parts.count >= 3 { second = Int(parts[2].prefix(2)) ?? 0 }
                sawTime = true
                continue
            }
            if let m = monthNumber(lower), month == nil { month = m; continue }
            if weekdays.contains(String(lower.prefix(3))), token.allSatisfy({ $0.isLetter || $0 == "." }), lower.count <= 9 {
                continue
            }
            if (token.first == "+" || token.first == "-"), token.count >= 3, sawTime || year != nil {
                offsetSeconds = numericOffset(token)
                continue
            }
            if token.allSatisfy({ $0.isNumber }) {
                guard let v = Int(token) else { continue }
                if day == nil, token.count <= 2, month == nil || year == nil { day = v; continue }
                if year == nil { year = v; continue }
                if day == nil { day = v; continue }
                continue
            }
            if sawTime, offsetSeconds == nil {
                if let zone = namedZones[lower] { offsetSeconds = zone; continue }
                if lower.hasPrefix("gmt") || lower.hasPrefix("utc") {
                    let rest = token.dropFirst(3)
                    offsetSeconds = rest.isEmpty ? 0 : numericOffset(rest)
                    continue
                }
                if lower.count == 1, let c = lower.first, c.isLetter, c != "j" {
                    offsetSeconds = 0  // military zones: RFC 5322 §4.3 says to treat them as -0000
                    continue
                }
            }
        }
        guard let d = day, let m = month, var y = year else { return nil }
        if y < 50 { y += 2000 } else if y < 1000 { y += 1900 }
        guard (1...31).contains(d), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (1000...9999).contains(y), d <= daysInMonth(y, m) else { return nil }
        let days = daysFromCivil(y, m, d)
        let local = days * 86_400 + hour * 3_600 + minute * 60 + min(second, 59)
        return Date(timeIntervalSince1970: TimeInterval(local - (offsetSeconds ?? 0)))
    }

    private static let weekdays: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func monthNumber(_ lower: String) -> Int? {
        guard lower.count >= 3, lower.allSatisfy({ $0.isLetter || $0 == "." }) else { return nil }
        if let i = months.firstIndex(of: String(lower.prefix(3))) { return i + 1 }
        return nil
    }

    /// Named zones seen in real mail. Ambiguous abbreviations (IST, BST) use their most common meaning
    /// in mail headers.
    private static let namedZones: [String: Int] = [
        "ut": 0, "gmt": 0, "utc": 0, "z": 0, "wet": 0, "bst": 3600, "ist": 19800,
        "est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
        "mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
        "akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
        "cet": 3600, "met": 3600, "cest": 7200, "mest": 7200, "eet": 7200, "eest": 10800, "west": 3600,
        "msk": 10800, "msd": 14400, "jst": 9 * 3600, "kst": 9 * 3600, "hkt": 8 * 3600, "sgt": 8 * 3600,
        "aest": 10 * 3600, "aedt": 11 * 3600, "nzst": 12 * 3600, "nzdt": 13 * 3600, "irst": 12600,
    ]

    private static func numericOffset(_ token: Substring) -> Int? {
        guard let sign = token.first, sign == "+" || sign == "-" else { return nil }
        let digits = token.dropFirst().filter { $0 != ":" }
        guard digits.allSatisfy({ $0.isNumber }), !digits.isEmpty, digits.count <= 4, let v = Int(digits) else { return nil }
        let (h, m) = digits.count <= 2 ? (v, 0) : (v / 100, v % 100)
        guard h <= 23, m <= 59 else { return nil }
        return (sign == "-" ? -1 : 1) * (h * 3600 + m * 60)
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
              (1...12).contains(m), (1...31).contains(d), d <= daysInMonth(y, m) else { return nil }
        var seconds = daysFromCivil(y, m, d) * 86_400
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

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// RFC 3339 UTC with a `Z`, e.g. `2024-01-01T09:01:00Z`.
    public static func rfc3339(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        var days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secs = total - days * 86_400
        // civil from days (inverse of daysFromCivil)
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2)):\(pad(secs % 60, 2))Z"
    }

    /// RFC 5322 date for outgoing mail, in UTC: `Mon, 01 Jan 2024 09:01:00 +0000`.
    public static func rfc5322(_ date: Date) -> String {
        let iso = rfc3339(date)  // yyyy-mm-ddThh:mm:ssZ
        let parts = iso.split(separator: "T")
        let ymd = parts[0].split(separator: "-").compactMap { Int($0) }
        let days = daysFromCivil(ymd[0], ymd[1], ymd[2])
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][ymd[1] - 1]
        let day = ymd[2] < 10 ? "0\(ymd[2])" : "\(ymd[2])"
        return "\(weekday), \(day) \(month) \(ymd[0]) \(parts[1].dropLast()) +0000"
    }
}
