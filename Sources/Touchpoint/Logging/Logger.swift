import Foundation

/// One value in a log event. `redacted` exists so call sites can name a secret-bearing field
/// without ever formatting the secret.
public enum LogValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case redacted

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(Int64(value)) }

    public var description: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(format: "%.3f", d)
        case .bool(let b): b ? "true" : "false"
        case .redacted: "<redacted>"
        }
    }
}

public extension LogValue {
    static func of(_ value: some BinaryInteger) -> LogValue { .int(Int64(clamping: value)) }
    static func seconds(_ value: Double) -> LogValue { .double(value) }
}

/// Where log lines go. Lines arrive complete, newline-terminated.
public protocol LogSink: Sendable {
    func write(line: String)
}

/// Writes whole lines to a file descriptor with one unbuffered `write` each, so a crash never
/// loses buffered lines and concurrent writers never interleave inside a line (lines below
/// PIPE_BUF are atomic on pipes, which is what journald gives us).
public struct FileDescriptorSink: LogSink {
    public let fd: Int32
    public init(fd: Int32 = 2) { self.fd = fd }

    public func write(line: String) {
        var bytes = Array(line.utf8)
        var offset = 0
        bytes.withUnsafeMutableBytes { buffer in
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}

/// Collects lines in memory; tests use it to assert on what was logged.
public final class MemoryLogSink: LogSink, @unchecked Sendable {
    // Safe: every access to `storage` holds `lock`.
    private let lock = NSLock()
    private var storage: [String] = []
    public init() {}
    public func write(line: String) { lock.lock(); storage.append(line); lock.unlock() }
    public var lines: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// A logfmt logger: one line per event, stable event names, `key=value` fields.
///
/// Under journald (`JOURNAL_STREAM` set) each line starts with its syslog priority (`<6>`) and has
/// no timestamp, since the journal stamps lines itself.
public struct Logger: Sendable {
    public var minimumLevel: LogLevel
    public var journald: Bool
    public var sink: any LogSink
    /// Fields added to every event of this logger (e.g. `mailbox=sales`).
    public var context: [(String, LogValue)]

    public init(
        minimumLevel: LogLevel = .info,
        journald: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
        sink: any LogSink = FileDescriptorSink(fd: 2),
        context: [(String, LogValue)] = []
    ) {
        self.minimumLevel = minimumLevel
        self.journald = journald
        self.sink = sink
        self.context = context
    }

    /// A logger whose events all carry the extra fields.
    public func with(_ fields: (String, LogValue)...) -> Logger {
        var copy = self
        copy.context += fields
        return copy
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= minimumLevel }

    public func log(_ level: LogLevel, _ event: String, _ fields: [(String, LogValue)]) {
        guard isEnabled(level) else { return }
        sink.write(line: format(level, event, fields, at: Date()))
    }

    public func error(_ event: String, _ fields: (String, LogValue)...) { log(.error, event, fields) }
    public func warning(_ event: String, _ fields: (String, LogValue)...) { log(.warning, event, fields) }
    public func notice(_ event: String, _ fields: (String, LogValue)...) { log(.notice, event, fields) }
    public func info(_ event: String, _ fields: (String, LogValue)...) { log(.info, event, fields) }
    public func debug(_ event: String, _ fields: (String, LogValue)...) { log(.debug, event, fields) }

    func format(_ level: LogLevel, _ event: String, _ fields: [(String, LogValue)], at date: Date) -> String {
        var line = ""
        line.reserveCapacity(128)
        if journald {
            line += "<\(level.rawValue)>"
        } else {
            line += "ts=" + Logger.timestamp(date) + " "
        }
        line += "level=\(level) event=" + Logfmt.encode(event)
        for (key, value) in context + fields {
            line += " " + Logfmt.encodeKey(key) + "=" + Logfmt.encode(value.description)
        }
        line += "\n"
        return line
    }

    /// RFC 3339 UTC with milliseconds, formatted by hand: DateFormatter is slow and not Sendable.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }
}
