import Foundation

/// The daily run time `schedule = HH:MM` in an IANA time zone, with the daylight-saving rules made
/// explicit: a time that does not exist on a spring-forward day runs as many minutes after the gap
/// as it was into it (02:30 in a 02:00→03:00 gap runs at 03:30); a time that occurs twice on a
/// fall-back day runs at its first occurrence only. Either way the run happens exactly once a day.
public struct ReminderSchedule: Sendable, Hashable {
    public enum ScheduleError: Error, Hashable, CustomStringConvertible {
        case badTime(String)
        case unknownTimeZone(String)
        public var description: String {
            switch self {
            case let .badTime(text): return "[reminders] schedule: \"\(text)\" is not a time of day like 08:00"
            case let .unknownTimeZone(name): return "[company] timezone: \"\(name)\" is not a known IANA time zone"
            }
        }
    }

    public let hour: Int
    public let minute: Int
    public let timeZone: TimeZone

    public init(time: String, timeZone identifier: String) throws(ScheduleError) {
        let parts = time.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
              parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute)
        else { throw .badTime(time) }
        guard let zone = TimeZone(identifier: identifier) else { throw .unknownTimeZone(identifier) }
        self.hour = hour
        self.minute = minute
        timeZone = zone
    }

    /// The first run strictly after `instant`.
    public func nextRun(after instant: Date) -> Date {
        let today = PurchaseDay(date: instant, timeZone: timeZone)
        // Bounded: the run of today or of one of the next two local days is always later.
        for offset in 0..<3 {
            let run = self.run(on: today.adding(days: offset))
            if run > instant { return run }
        }
        return run(on: today.adding(days: 3))
    }

    /// The instant of the run on a local calendar day.
    public func run(on day: PurchaseDay) -> Date {
        // The wall-clock time read as if it were UTC, then corrected by the zone offset in force.
        let wall = Double(day.daysSinceEpoch) * 86_400 + Double(hour * 3600 + minute * 60)
        let offsetBefore = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall - 86_400)))
        let offsetAfter = Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall + 86_400)))
        let valid = [offsetBefore, offsetAfter].map { wall - $0 }.filter { candidate in
            Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: candidate))) == wall - candidate
        }
        if let first = valid.min() { return Date(timeIntervalSince1970: first) }
        // In a gap: the offset from before the change puts the run just as far past the gap.
        return Date(timeIntervalSince1970: wall - offsetBefore)
    }
}
