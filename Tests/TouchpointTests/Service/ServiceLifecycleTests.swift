import Foundation
import XCTest
@testable import Touchpoint

/// The real `touchpoint serve` as systemd runs it: notify protocol, SIGTERM mid-sync, SIGHUP
/// reloads, and what its log lines look like.
final class ServiceLifecycleTests: XCTestCase {
    /// Reads datagrams until `done` says so or the bound runs out.
    func receive(_ socket: FakeNotifySocket, into messages: inout [String], for seconds: TimeInterval, until done: ([String]) -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !done(messages) {
            if let message = socket.receive() { messages.append(message) }
        }
    }

    func testNotifiesReadyWatchdogAndStoppingInOrderAndExitsZeroOnSIGTERM() throws {
        let world = try ServiceWorld()
        try world.addMailbox("sales", messages: 5)
        try world.writeConfig()
        let socket = try FakeNotifySocket()
        let serve = try world.serve(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"])
        var messages: [String] = []
        receive(socket, into: &messages, for: 30) { $0.filter { $0 == "WATCHDOG=1" }.count >= 2 }
        serve.signal(SIGTERM)
        receive(socket, into: &messages, for: 30) { $0.contains("STOPPING=1") }
        XCTAssertEqual(serve.waitForExit(), 0, serve.log.joined())

        let ready = try XCTUnwrap(messages.firstIndex { $0.hasPrefix("READY=1\nSTATUS=") }, "\(messages)")
        let firstWatchdog = try XCTUnwrap(messages.firstIndex(of: "WATCHDOG=1"), "\(messages)")
        let stopping = try XCTUnwrap(messages.firstIndex(of: "STOPPING=1"), "\(messages)")
        XCTAssertEqual(ready, 0, "READY=1 comes first: \(messages)")
        XCTAssertLessThan(firstWatchdog, stopping)
        XCTAssertTrue(messages[ready].contains("mailboxes"), "STATUS carries the counters: \(messages[ready])")
        XCTAssertFalse(messages[(stopping + 1)...].contains("WATCHDOG=1"), "no watchdog after STOPPING=1: \(messages)")
        XCTAssertNotNil(serve.events("service.stopped").first, serve.log.joined())
    }

    func testSIGTERMDuringALargeFirstSyncCommitsAndTheNextRunCompletesWithoutDuplicates() throws {
        let world = try ServiceWorld()
        let total = 5000
        try world.addMailbox("big", messages: total, batchSize: 100)
        try world.writeConfig()
        let serve = try world.serve()
        XCTAssertNotNil(serve.waitFor("batch.committed", timeout: 60), serve.log.joined())
        serve.signal(SIGTERM)
        XCTAssertEqual(serve.waitForExit(timeout: 60), 0, serve.log.suffix(20).joined())
        XCTAssertEqual(serve.events("service.stopped").first?["clean"], "true", serve.log.suffix(20).joined())

        // Everything the log says was committed is in the database, and nothing else.
        let committed = serve.events("batch.committed").reduce(0) { $0 + (Int($1["new"] ?? "") ?? 0) }
        XCTAssertEqual(try world.count("SELECT count(*) FROM messages"), Int64(committed))
        print("SIGTERM after \(committed) of \(total) messages were committed")

        let again = try TestStack.run(TestStack.touchpointBinary, ["--config", world.configPath, "serve", "--once"])
        XCTAssertEqual(again.status, 0, again.error)
        XCTAssertEqual(try world.count("SELECT count(*) FROM messages"), Int64(total))
        XCTAssertEqual(try world.count("SELECT count(DISTINCT message_id) FROM messages"), Int64(total))
        XCTAssertEqual(try world.count("SELECT count(*) FROM interaction_log"), Int64(total), "one interaction per message")
        XCTAssertEqual(try world.count("SELECT count(*) FROM (SELECT DISTINCT message_id, contact_id FROM interaction_log) d"), Int64(total))
    }

    func testSIGHUPAddsAMailboxAndABrokenConfigIsRejectedWhileTheDaemonKeepsRunning() throws {
        let world = try ServiceWorld()
        try world.addMailbox("first", messages: 3)
        try world.addMailbox("second", messages: 4)
        try world.writeConfig(only: ["first"])
        let serve = try world.serve()
        XCTAssertNotNil(serve.waitFor("batch.committed", where: { $0["mailbox"] == "first" }), serve.log.joined())

        try world.writeConfig()
        serve.signal(SIGHUP)
        XCTAssertNotNil(serve.waitFor("config.reloaded", where: { $0["started"] == "second" }), serve.log.joined())
        XCTAssertNotNil(serve.waitFor("batch.committed", where: { $0["mailbox"] == "second" }), serve.log.joined())
        XCTAssertEqual(try world.count("SELECT count(*) FROM messages"), 7)
        XCTAssertTrue(serve.events("mailbox.released").isEmpty, "the unchanged mailbox was not restarted: \(serve.log.joined())")

        let good = try String(contentsOfFile: world.configPath, encoding: .utf8)
        try (good + "\n[mailbox \"broken\"]\nurl = ftp://nowhere.example/\n").write(toFile: world.configPath, atomically: true, encoding: .utf8)
        serve.signal(SIGHUP)
        let rejected = try XCTUnwrap(serve.waitFor("config.reload-rejected"), serve.log.joined())
        XCTAssertTrue(rejected["error"]?.contains("broken") ?? false, "the error names the section: \(rejected)")
        XCTAssertTrue(serve.process.isRunning, "a broken config does not stop the daemon")
        XCTAssertEqual(serve.events("config.reloaded").count, 1)

        serve.signal(SIGTERM)
        XCTAssertEqual(serve.waitForExit(), 0, serve.log.joined())
        XCTAssertEqual(Set(serve.events("mailbox.released").compactMap { $0["mailbox"] }), ["first", "second"],
                       "the old configuration kept running both mailboxes until the stop")
        XCTAssertEqual(world.linesLeakingSecrets(serve.log), [])
    }

    func testLogLinesAreLogfmtSubjectsAreEscapedAndNoSecretIsLoggedAtDebug() throws {
        let world = try ServiceWorld()
        // A subject whose decoded text carries CR/LF, a forged log line and ANSI colour codes.
        let hostile = "Invoice\r\nlevel=error event=forged \u{1B}[31mRED\u{1B}[0m"
        let encoded = "=?utf-8?b?\(Data(hostile.utf8).base64EncodedString())?="
        try world.addMailbox("sales", messages: 3, subject: { $0 == 2 ? encoded : "Order \($0)" })
        let tokenFile = world.dir.appendingPathComponent("oauth.token").path
        try world.stack["TP_IMAP_OAUTH_TOKEN"].write(toFile: tokenFile, atomically: true, encoding: .utf8)
        world.extraSections = """
        [mailbox "oauth"]
        url = imap://127.0.0.1:\(world.stack["TP_IMAP_PORT"])/
        user = \(world.stack["TP_IMAP_OAUTH_USER"])
        oauth2-token-file = \(tokenFile)
        ca-file = \(world.stack["TP_CA_FILE"])
        folders = INBOX
        idle = no

        """
        try world.writeConfig()
        let run = try TestStack.run(TestStack.touchpointBinary, ["--config", world.configPath, "--log-level", "debug", "serve", "--once"])
        XCTAssertEqual(run.status, 0, run.error)
        let lines = run.error.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        XCTAssertGreaterThan(lines.count, 10)
        XCTAssertTrue(lines.contains { $0.contains("level=debug") }, "debug events were logged")
        XCTAssertTrue(lines.contains { $0.contains("event=curl.trace") }, "libcurl's trace goes through the logger, so the secret checks below cover it")
        for line in lines {
            let fields = try XCTUnwrap(LoggerTests.parseLogfmt(line), "not logfmt: \(line)")
            XCTAssertNotNil(fields["event"], line)
            XCTAssertFalse(line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "raw control character in \(line.debugDescription)")
            XCTAssertFalse(fields["event"] == "forged", line)
        }
        XCTAssertFalse(run.error.contains("\r"), "no carriage return anywhere in the log")
        XCTAssertEqual(world.linesLeakingSecrets(lines), [])
        XCTAssertFalse(run.error.contains(world.stack["TP_IMAP_OAUTH_TOKEN"]))
        // Wherever the subject is logged, it reads back exactly once parsed: escaped, not lost.
        let subjects = lines.compactMap { LoggerTests.parseLogfmt($0)?["subject"] }
        for subject in subjects where subject.contains("Invoice") {
            XCTAssertTrue(subject.contains("\u{1B}[31m") && subject.contains("\n"), "escaped and restored: \(subject.debugDescription)")
        }
        // The hostile subject did reach the daemon (it is stored as decoded), so every line above
        // was written with it in hand.
        XCTAssertEqual(try world.count("SELECT count(*) FROM messages WHERE subject LIKE 'Invoice%'"), 1)
    }

    func testUnderJournaldLinesCarryThePriorityAndNoTimestamp() throws {
        let world = try ServiceWorld()
        try world.addMailbox("sales", messages: 2)
        try world.writeConfig()
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = "8:12345"
        let run = try TestStack.run(TestStack.touchpointBinary, ["--config", world.configPath, "serve", "--once"], environment: environment)
        XCTAssertEqual(run.status, 0, run.error)
        let lines = run.error.split(separator: "\n").map(String.init)
        XCTAssertFalse(lines.isEmpty)
        for line in lines {
            let priority = try XCTUnwrap(line.firstMatch(of: /^<([3-7])>/), "no syslog priority: \(line)")
            let fields = try XCTUnwrap(LoggerTests.parseLogfmt(String(line.dropFirst(3))), line)
            XCTAssertNil(fields["ts"], "journald stamps lines itself: \(line)")
            XCTAssertEqual(LogLevel(name: fields["level"] ?? "")?.rawValue, Int(priority.1), line)
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("<6>") && $0.contains("event=batch.committed") }, run.error)
    }

    /// A TCP port that completes connections in the kernel and then never says a word: a mail
    /// server hung after accept.
    final class SilentListener {
        let fd: Int32
        let port: Int
        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard ok else { close(fd); throw XCTSkip("cannot listen on 127.0.0.1") }
            port = Int(UInt16(bigEndian: address.sin_port))
        }
        deinit { close(fd) }
    }

    /// The watchdog is fed by the main loop only: while the loop is stuck (here: a reload waiting
    /// for a worker hung in a TLS handshake with a silent server) no WATCHDOG=1 goes out, so
    /// systemd would restart a daemon wedged for longer than WatchdogSec; afterwards it resumes.
    func testWatchdogPausesWhileTheMainLoopIsStuckAndResumesAfter() throws {
        let world = try ServiceWorld()
        try world.addMailbox("fine", messages: 1)
        let silent = try SilentListener()
        let secret = world.dir.appendingPathComponent("hung.secret").path
        try "unused".write(toFile: secret, atomically: true, encoding: .utf8)
        world.extraSections = """
        [mailbox "hung"]
        url = imaps://127.0.0.1:\(silent.port)/
        user = nobody@example.com
        password-file = \(secret)
        folders = INBOX
        idle = no

        """
        try world.writeConfig()
        let socket = try FakeNotifySocket()
        let serve = try world.serve(environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"])
        var messages: [String] = []
        receive(socket, into: &messages, for: 20) { $0.contains("WATCHDOG=1") }
        XCTAssertTrue(messages.contains("WATCHDOG=1"), "\(messages)")

        world.extraSections = ""
        try world.writeConfig()
        serve.signal(SIGHUP)
        var during: [String] = []
        receive(socket, into: &during, for: 20) { $0.contains("RELOADING=1") }
        XCTAssertTrue(during.contains("RELOADING=1"), "\(during)")
        // The hung worker cannot notice its stop until its TLS handshake times out (15 s).
        let stuckSince = Date()
        var silentPeriod: [String] = []
        receive(socket, into: &silentPeriod, for: 3) { _ in false }
        if serve.events("config.reloaded").isEmpty {
            XCTAssertFalse(silentPeriod.contains("WATCHDOG=1"), "fed while the loop was stuck: \(silentPeriod)")
        } else {
            XCTFail("the reload finished after \(Date().timeIntervalSince(stuckSince)) s; the test needs it to be stuck for 3 s")
        }
        XCTAssertNotNil(serve.waitFor("config.reloaded", timeout: 70), serve.log.joined())
        var after: [String] = []
        receive(socket, into: &after, for: 10) { $0.contains("WATCHDOG=1") }
        XCTAssertTrue(after.contains("WATCHDOG=1"), "the watchdog resumes: \(after)")
        serve.signal(SIGTERM)
        XCTAssertEqual(serve.waitForExit(), 0, serve.log.joined())
    }
}
