import XCTest
@testable import Touchpoint

final class LoggerTests: XCTestCase {
    /// A minimal logfmt reader, strict enough to fail on anything our writer must never produce.
    static func parseLogfmt(_ line: String) -> [String: String]? {
        var fields: [String: String] = [:]
        var scalars = Array(line.unicodeScalars)
        if scalars.last == "\n" { scalars.removeLast() }
        var i = 0
        while i < scalars.count {
            var key = ""
            while i < scalars.count, scalars[i] != "=" {
                if scalars[i] == " " || scalars[i].value < 0x20 { return nil }
                key.unicodeScalars.append(scalars[i]); i += 1
            }
            guard i < scalars.count, !key.isEmpty else { return nil }
            i += 1
            var value = ""
            if i < scalars.count, scalars[i] == "\"" {
                i += 1
                var closed = false
                while i < scalars.count {
                    let s = scalars[i]
                    if s.value < 0x20 { return nil }
                    if s == "\\" {
                        guard i + 1 < scalars.count else { return nil }
                        let n = scalars[i + 1]
                        switch n {
                        case "n": value += "\n"
                        case "r": value += "\r"
                        case "t": value += "\t"
                        case "\"", "\\": value.unicodeScalars.append(n)
                        case "u":
                            guard i + 5 < scalars.count,
                                  let v = UInt32(String(String.UnicodeScalarView(scalars[(i + 2)...(i + 5)])), radix: 16),
                                  let u = Unicode.Scalar(v) else { return nil }
                            value.unicodeScalars.append(u); i += 4
                        default: return nil
                        }
                        i += 2
                        continue
                    }
                    if s == "\"" { closed = true; i += 1; break }
                    value.unicodeScalars.append(s); i += 1
                }
                if !closed { return nil }
            } else {
                while i < scalars.count, scalars[i] != " " {
                    if scalars[i].value < 0x20 || scalars[i] == "\"" { return nil }
                    value.unicodeScalars.append(scalars[i]); i += 1
                }
            }
            fields[key] = value
            if i < scalars.count {
                guard scalars[i] == " " else { return nil }
                i += 1
            }
        }
        return fields
    }

    func testHostileValueIsEscapedAndRoundTrips() throws {
        let sink = MemoryLogSink()
        let logger = Logger(minimumLevel: .debug, journald: false, sink: sink)
        let subject = "Hello\r\nlevel=error event=fake\u{1B}[31mred\u{1B}[0m \"quoted\" back\\slash\u{2028}"
        logger.info("message.logged", ("mailbox", "sales"), ("subject", .string(subject)), ("uid", 4711))
        XCTAssertEqual(sink.lines.count, 1)
        let line = sink.lines[0]
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1, "exactly one line terminator")
        XCTAssertFalse(line.unicodeScalars.dropLast().contains { $0.value < 0x20 || $0.value == 0x2028 })
        let fields = try XCTUnwrap(Self.parseLogfmt(line), line)
        XCTAssertEqual(fields["event"], "message.logged")
        XCTAssertEqual(fields["level"], "info")
        XCTAssertEqual(fields["subject"], subject)
        XCTAssertEqual(fields["uid"], "4711")
        XCTAssertNotNil(fields["ts"])
    }

    func testJournaldStylePrefixesPriorityAndOmitsTimestamp() {
        let sink = MemoryLogSink()
        let logger = Logger(minimumLevel: .info, journald: true, sink: sink)
        logger.warning("mailbox.failed", ("mailbox", "sales"))
        logger.debug("not.shown")
        XCTAssertEqual(sink.lines, ["<4>level=warn event=mailbox.failed mailbox=sales\n"])
    }

    func testRedactedValueNeverFormatsTheSecret() {
        let sink = MemoryLogSink()
        let logger = Logger(minimumLevel: .debug, journald: false, sink: sink).with(("password", .redacted))
        logger.info("imap.login", ("user", "sales@example.com"))
        XCTAssertTrue(sink.lines[0].contains("password=<redacted>"))
    }

    func testLevelsFilter() {
        XCTAssertTrue(Logger(minimumLevel: .warning, sink: MemoryLogSink()).isEnabled(.error))
        XCTAssertFalse(Logger(minimumLevel: .warning, sink: MemoryLogSink()).isEnabled(.info))
        XCTAssertEqual(LogLevel(name: "WARN"), .warning)
        XCTAssertNil(LogLevel(name: "loud"))
    }

    func testTimestampIsRFC3339UTC() {
        XCTAssertEqual(Logger.timestamp(Date(timeIntervalSince1970: 1_700_000_000.123)), "2023-11-14T22:13:20.123Z")
    }
}
