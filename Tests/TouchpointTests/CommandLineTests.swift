import Foundation
import XCTest
@testable import Touchpoint

/// Captures what a command prints, for assertions.
final class CapturedIO: @unchecked Sendable {
    // Safe: all access holds `lock`.
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    var out: String { lock.lock(); defer { lock.unlock() }; return outText }
    var err: String { lock.lock(); defer { lock.unlock() }; return errText }

    func io(environment: [String: String] = [:]) -> CommandIO {
        CommandIO(out: { s in self.lock.lock(); self.outText += s; self.lock.unlock() },
                  err: { s in self.lock.lock(); self.errText += s; self.lock.unlock() },
                  environment: environment, isTerminal: false)
    }
}

final class CommandLineTests: XCTestCase {
    func run(_ argv: [String], environment: [String: String] = [:]) -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        let status = TouchpointCommandLine().run(argv, io: captured.io(environment: environment))
        return (status, captured)
    }

    func testHelpListsEveryCommandAndEachCommandHasHelp() {
        let (status, io) = run(["--help"])
        XCTAssertEqual(status, 0)
        for command in TouchpointCommandLine.standardCommands {
            XCTAssertTrue(io.out.contains("  \(command.name) "), "usage lists \(command.name)")
            let (s, help) = run([command.name, "--help"])
            XCTAssertEqual(s, 0)
            XCTAssertTrue(help.out.hasPrefix("Usage: touchpoint \(command.name)"), help.out)
        }
    }

    func testUsageErrorsExit64() {
        XCTAssertEqual(run([]).0, 64)
        XCTAssertEqual(run(["no-such-command"]).0, 64)
        let (status, io) = run(["check-config", "--frobnicate"])
        XCTAssertEqual(status, 64)
        XCTAssertTrue(io.err.contains("unknown option --frobnicate"), io.err)
        XCTAssertEqual(run(["--log-level", "loud", "version"]).0, 64)
    }

    func testCheckConfigReportsMissingFileAsConfigurationError() {
        let (status, io) = run(["check-config", "--config", "/nonexistent/touchpoint.conf"])
        XCTAssertEqual(status, 78)
        XCTAssertTrue(io.err.contains("/nonexistent/touchpoint.conf"), io.err)
    }

    func testCheckConfigValidatesSecretsAndRedactsDatabasePassword() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tp-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = dir.appendingPathComponent("imap.secret").path
        let config = dir.appendingPathComponent("touchpoint.conf").path
        try """
        [database]
        url = postgresql://tp:dbsecret@db.example.com/touchpoint
        [company]
        domains = example.com
        [mailbox "sales"]
        url = imaps://imap.example.com
        user = sales@example.com
        password-file = \(secret)
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let (missing, missingIO) = run(["check-config", "-c", config])
        XCTAssertEqual(missing, 78)
        XCTAssertTrue(missingIO.err.contains(secret), missingIO.err)

        try "imap-password\n".write(toFile: secret, atomically: true, encoding: .utf8)
        let (ok, okIO) = run(["--config=\(config)", "check-config"])
        XCTAssertEqual(ok, 0, okIO.err)
        XCTAssertTrue(okIO.out.contains("mailbox sales: sales@example.com at imap.example.com:993"), okIO.out)
        XCTAssertTrue(okIO.out.contains("threads: subject + participants fallback within 30d"), okIO.out)
        XCTAssertFalse(okIO.out.contains("dbsecret"))
        XCTAssertFalse(okIO.out.contains("imap-password"))
    }

    func testArgumentsParser() throws {
        let spec = Arguments.Spec(flags: ["--json"], options: ["--owner"])
        let args = try Arguments(["a", "--json", "--owner=x@example.com", "--", "--not-an-option"], spec: spec)
        XCTAssertTrue(args.has("--json"))
        XCTAssertEqual(args.value("--owner"), "x@example.com")
        XCTAssertEqual(args.positionals, ["a", "--not-an-option"])
        XCTAssertThrowsError(try Arguments(["--owner"], spec: spec))
        XCTAssertThrowsError(try Arguments(["--json=1"], spec: spec))
    }

    func testDatabaseURLRedaction() {
        XCTAssertEqual(DatabaseURL.redacted("postgresql://u:p%40ss@h/db"), "postgresql://u:<redacted>@h/db")
        XCTAssertEqual(DatabaseURL.redacted("host=h password=abc dbname=x"), "host=h password=<redacted> dbname=x")
        XCTAssertEqual(DatabaseURL.redacted("postgresql:///touchpoint?host=/run/postgresql"), "postgresql:///touchpoint?host=/run/postgresql")
    }
}

final class InspectCommandTests: XCTestCase {
    func testJSONLinesAndMissingFile() throws {
        let path = NSTemporaryDirectory() + "tp-inspect-\(UUID().uuidString).eml"
        try Data("""
        From: =?koi8-r?B?6dfBzg==?= <ivan@example.ru>\r
        To: sales@example.com\r
        Subject: =?utf-8?Q?Zahl=C3=A1s?=\r
        Message-ID: <abc@example.ru>\r
        Date: Mon, 23 Nov 2026 10:00:00 +0100\r
        \r
        Hello\r

        """.utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let captured = CapturedIO()
        let status = TouchpointCommandLine().run(["inspect", "--json", path, "/nonexistent.eml"], io: captured.io())
        XCTAssertEqual(status, 66, "a missing file is reported with EX_NOINPUT")
        XCTAssertTrue(captured.err.contains("/nonexistent.eml"), captured.err)
        let lines = captured.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(object["message_id"] as? String, "abc@example.ru")
        XCTAssertEqual(object["subject"] as? String, "Zahlás")
        XCTAssertEqual(object["date"] as? String, "2026-11-23T09:00:00Z")
        let from = try XCTUnwrap(object["from"] as? [[String: Any]])
        XCTAssertEqual(from.first?["name"] as? String, "Иван")
        XCTAssertEqual(object["automated"] as? Bool, false)
    }
}

final class ReadmeCommandTests: XCTestCase {
    /// The README's CLI reference must name every command the binary has, with the options its
    /// `--help` advertises.
    func testReadmeCLIReferenceCoversEveryCommand() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try XCTUnwrap(readme.range(of: "## CLI reference")).upperBound
        let end = readme.range(of: "\n## ", range: section..<readme.endIndex)?.lowerBound ?? readme.endIndex
        let reference = String(readme[section..<end])
        for command in TouchpointCommandLine.standardCommands {
            XCTAssertTrue(reference.contains("`\(command.name)"), "README CLI reference lacks `\(command.name)`")
            for option in command.spec.flags.union(command.spec.options) where option.hasPrefix("--") {
                XCTAssertTrue(reference.contains(option) || readme.contains(option),
                              "README does not mention \(command.name) \(option)")
            }
        }
    }
}
