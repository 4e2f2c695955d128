import Foundation

/// Parsers for the value syntaxes the config file uses. Each returns nil on malformed input;
/// `SectionReader` turns that into a `ConfigError` naming the key and the expected form.
public enum ConfigValues {
    /// `60s`, `5m`, `1h30m`, `2d`, `500ms`; a bare number means seconds.
    public static func duration(_ text: String) -> Duration? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !s.isEmpty else { return nil }
        if let seconds = Int64(s), seconds >= 0 { return .seconds(seconds) }
        var total: Duration = .zero
        var index = s.startIndex
        var sawComponent = false
        while index < s.endIndex {
            let digitsStart = index
            while index < s.endIndex, s[index].isASCII, s[index].isNumber { index = s.index(after: index) }
            guard digitsStart < index, let amount = Int64(s[digitsStart..<index]), amount < 1_000_000_000 else { return nil }
            let unitStart = index
            while index < s.endIndex, s[index].isLetter { index = s.index(after: index) }
            switch s[unitStart..<index] {
            case "ms": total += .milliseconds(amount)
            case "s", "sec", "secs": total += .seconds(amount)
            case "m", "min", "mins": total += .seconds(amount * 60)
            case "h", "hr", "hrs": total += .seconds(amount * 3600)
            case "d", "day", "days": total += .seconds(amount * 86_400)
            case "w", "week", "weeks": total += .seconds(amount * 604_800)
            default: return nil
            }
            sawComponent = true
        }
        return sawComponent ? total : nil
    }

    /// `65536`, `64KiB`, `64k`, `25MB`, `1GiB` (K/M/G are binary multiples: sizes here are buffers).
    public static func byteSize(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let amount = Int(digits) else { return nil }
        let multiplier: Int
        switch s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces) {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1 << 10
        case "m", "mb", "mib": multiplier = 1 << 20
        case "g", "gb", "gib": multiplier = 1 << 30
        default: return nil
        }
        let (value, overflow) = amount.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : value
    }

    public static func bool(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "yes", "true", "on", "1": true
        case "no", "false", "off", "0": false
        default: nil
        }
    }

    /// Comma-separated, blanks dropped.
    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `08:00` → (8, 0).
    public static func timeOfDay(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
              let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        return (h, m)
    }

    /// `2025-01-01` → midnight UTC of that day.
    public static func date(_ text: String) -> Date? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1..<13).contains(m), (1..<32).contains(d) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: y, month: m, day: d)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == d else { return nil }
        return date
    }
}

/// Reads typed values out of one section, remembering which keys were used so that a misspelt
/// key (`pasword-file`) is reported instead of silently ignored.
struct SectionReader {
    let file: ConfigFile
    let section: ConfigFile.Section
    private(set) var used: Set<String> = []

    init(file: ConfigFile, section: ConfigFile.Section) {
        self.file = file
        self.section = section
    }

    func entry(_ key: String) -> ConfigFile.Entry? { section.entries.last { $0.key == key } }

    func error(_ key: String?, _ message: String, line: Int? = nil) -> ConfigError {
        ConfigError(path: file.path, line: line ?? key.flatMap { entry($0)?.line } ?? section.line,
                    section: section.displayName, key: key, message: message)
    }

    mutating func string(_ key: String) -> String? {
        used.insert(key)
        return entry(key)?.value
    }

    mutating func requiredString(_ key: String, hint: String) throws(ConfigError) -> String {
        guard let value = string(key), !value.isEmpty else {
            throw error(nil, "missing required key '\(key)' (\(hint))")
        }
        return value
    }

    mutating func parsed<T>(_ key: String, expected: String, _ parse: (String) -> T?) throws(ConfigError) -> T? {
        guard let raw = string(key) else { return nil }
        guard let value = parse(raw) else { throw error(key, "\"\(raw)\" is not \(expected)") }
        return value
    }

    mutating func duration(_ key: String, default fallback: Duration, min: Duration = .zero) throws(ConfigError) -> Duration {
        guard let value = try parsed(key, expected: "a duration (e.g. 60s, 5m, 1h)", ConfigValues.duration) else { return fallback }
        if value < min { throw error(key, "must be at least \(min)") }
        return value
    }

    mutating func byteSize(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = try parsed(key, expected: "a size (e.g. 64KiB, 25MB)", ConfigValues.byteSize) else { return fallback }
        guard range.contains(value) else { throw error(key, "must be between \(range.lowerBound) and \(range.upperBound) bytes") }
        return value
    }

    mutating func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = try parsed(key, expected: "a whole number", { Int($0.trimmingCharacters(in: .whitespaces)) }) else { return fallback }
        guard range.contains(value) else { throw error(key, "must be between \(range.lowerBound) and \(range.upperBound)") }
        return value
    }

    mutating func number(_ key: String, default fallback: Double, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let value = try parsed(key, expected: "a number", { Double($0.trimmingCharacters(in: .whitespaces)) }) else { return fallback }
        guard range.contains(value) else { throw error(key, "must be between \(range.lowerBound) and \(range.upperBound)") }
        return value
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        try parsed(key, expected: "yes or no", ConfigValues.bool) ?? fallback
    }

    mutating func list(_ key: String) -> [String]? {
        string(key).map(ConfigValues.list)
    }

    mutating func choice<T>(_ key: String, _ options: [String: T], default fallback: T) throws(ConfigError) -> T {
        guard let raw = string(key) else { return fallback }
        guard let value = options[raw.lowercased()] else {
            throw error(key, "\"\(raw)\" is not one of: \(options.keys.sorted().joined(separator: ", "))")
        }
        return value
    }

    /// Throws for the first key nobody asked for: almost always a typo.
    func rejectUnknownKeys() throws(ConfigError) {
        for entry in section.entries where !used.contains(entry.key) {
            throw ConfigError(path: file.path, line: entry.line, section: section.displayName, key: entry.key,
                              message: "unknown key (known keys: \(used.sorted().joined(separator: ", ")))")
        }
    }
}
