import CivilCalendar
/// The server's arrival time of a message, `"17-Jul-1996 02:44:25 -0700"` (RFC 3501 §9 date-time).
public struct InternalDate: Sendable, Equatable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64
    /// The zone the server wrote, in minutes east of UTC.
    public var utcOffsetMinutes: Int

    public init(secondsSince1970: Int64, utcOffsetMinutes: Int) {
        self.secondsSince1970 = secondsSince1970
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Parses the date-time text; nil when it is not in the RFC form.
    init?(text: [UInt8]) {
        let string = String(decoding: text, as: UTF8.self).trimmingLeadingSpaces()
        let pieces = string.split(separator: " ")
        guard pieces.count == 3 else { return nil }
        let dateFields = pieces[0].split(separator: "-")
        let timeFields = pieces[1].split(separator: ":")
        guard dateFields.count == 3, timeFields.count == 3,
              let day = Int(dateFields[0]), (1...31).contains(day),
              let monthIndex = Self.months.firstIndex(of: dateFields[1].lowercased()),
              let year = Int(dateFields[2]), (1900...9999).contains(year),
              let hour = Int(timeFields[0]), (0...23).contains(hour),
              let minute = Int(timeFields[1]), (0...59).contains(minute),
              let second = Int(timeFields[2]), (0...60).contains(second) else { return nil }
        let zone = pieces[2]
        guard zone.count == 5, let sign = zone.first, sign == "+" || sign == "-",
              let zoneValue = Int(zone.dropFirst()) else { return nil }
        let offset = (zoneValue / 100 * 60 + zoneValue % 100) * (sign == "-" ? -1 : 1)
        let days = CivilCalendar.daysSinceEpoch(year: year, month: monthIndex + 1, day: day)
        let local = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.secondsSince1970 = local - Int64(offset * 60)
        self.utcOffsetMinutes = offset
    }
}

extension String {
    fileprivate func trimmingLeadingSpaces() -> String {
        String(drop { $0 == " " })
    }
}
