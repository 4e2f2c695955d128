import Foundation
import XCTest

/// `touchpoint doctor` against the stack: a working setup passes every check; each broken piece
/// fails with a line that names it and says what to fix.
final class DoctorTests: XCTestCase {
    func doctor(_ world: ServiceWorld) throws -> TestStack.Result {
        try TestStack.run(TestStack.touchpointBinary, ["--config", world.configPath, "doctor"])
    }

    func smtpSection(_ world: ServiceWorld, passwordFile: String) -> String {
        """
        [smtp]
        url = smtp://127.0.0.1:\(world.stack["TP_SMTP_PORT"])
        user = \(world.stack["TP_SMTP_USER"])
        password-file = \(passwordFile)
        ca-file = \(world.stack["TP_CA_FILE"])
        from = Touchpoint <touchpoint@example.com>

        """
    }

    func failLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("FAIL ") }
    }

    func testEverythingWorkingPassesAndSendsNoMail() throws {
        let world = try ServiceWorld()
        try world.addMailbox("sales", messages: 3)
        let smtpSecret = world.dir.appendingPathComponent("smtp.secret").path
        try world.stack["TP_SMTP_PASSWORD"].write(toFile: smtpSecret, atomically: true, encoding: .utf8)
        world.extraSections = smtpSection(world, passwordFile: smtpSecret)
        try world.writeConfig()
        let spool = world.stack["TP_SMTP_SPOOL"]
        let spooledBefore = (try? FileManager.default.contentsOfDirectory(atPath: spool).count) ?? 0

        let result = try doctor(world)
        XCTAssertEqual(result.status, 0, result.output + result.error)
        XCTAssertEqual(failLines(result.output), [], result.output)
        for expected in ["ok   database: PostgreSQL server", "ok   database: the role may create tables and write",
                         "ok   mailbox \"sales\": TLS (implicit), certificate and host name verified",
                         "ok   mailbox \"sales\": login as", "ok   mailbox \"sales\": folder INBOX: 3 messages",
                         "ok   smtp: STARTTLS (required)", "ok   smtp: login as"] {
            XCTAssertTrue(result.output.contains(expected), "missing \(expected) in:\n\(result.output)")
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: spool).count) ?? 0, spooledBefore, "doctor sent mail")
        XCTAssertEqual(try world.count("SELECT count(*) FROM pg_tables WHERE tablename = 'touchpoint_doctor_probe'"), 0)
        XCTAssertEqual(world.linesLeakingSecrets((result.output + result.error).components(separatedBy: "\n")), [])
    }

    func testWrongPasswordFailsNamingTheMailbox() throws {
        let world = try ServiceWorld()
        try world.addMailbox("good", messages: 1)
        try world.addMailbox("support", messages: 1)
        try world.writeConfig()
        try "not-the-password".write(toFile: world.dir.appendingPathComponent("support.secret").path, atomically: true, encoding: .utf8)
        let result = try doctor(world)
        XCTAssertEqual(result.status, 69, result.output)
        let failures = failLines(result.output)
        XCTAssertEqual(failures.count, 1, result.output)
        XCTAssertTrue(failures.first?.hasPrefix("FAIL mailbox \"support\": login as") ?? false, result.output)
        XCTAssertTrue(failures.first?.contains("support.secret") ?? false, "the fix names where the secret lives: \(result.output)")
        XCTAssertTrue(result.output.contains("ok   mailbox \"good\": login as"), result.output)
    }

    func testWrongCAGivesACertificateHint() throws {
        let world = try ServiceWorld()
        try world.addMailbox("sales", messages: 1)
        try world.writeConfig()
        let config = try String(contentsOfFile: world.configPath, encoding: .utf8)
            .replacingOccurrences(of: "ca-file = \(world.stack["TP_CA_FILE"])", with: "ca-file = \(world.stack["TP_OTHER_CA_FILE"])")
        try config.write(toFile: world.configPath, atomically: true, encoding: .utf8)
        let result = try doctor(world)
        XCTAssertEqual(result.status, 69, result.output)
        let failure = try XCTUnwrap(failLines(result.output).first, result.output)
        XCTAssertTrue(failure.hasPrefix("FAIL mailbox \"sales\": TLS"), failure)
        XCTAssertTrue(failure.contains("certificate not trusted") && failure.contains("ca-file = \(world.stack["TP_OTHER_CA_FILE"])"), failure)
        XCTAssertTrue(result.output.contains("ok   mailbox \"sales\": TCP connect"), "TCP worked: \(result.output)")
        XCTAssertFalse(result.output.contains("login as"), "no login attempted without trusted TLS: \(result.output)")
    }

    func testDatabaseDownFails() throws {
        let world = try ServiceWorld()
        try world.addMailbox("sales", messages: 1)
        try world.writeConfig()
        // A port where nothing listens (bound and released by us just now).
        let config = try String(contentsOfFile: world.configPath, encoding: .utf8)
            .replacingOccurrences(of: "url = \(world.database.url)", with: "url = postgresql://touchpoint:hunter2-db@127.0.0.1:\(try Self.closedPort())/touchpoint?connect_timeout=3")
        try config.write(toFile: world.configPath, atomically: true, encoding: .utf8)
        let result = try doctor(world)
        XCTAssertEqual(result.status, 69, result.output)
        let failure = try XCTUnwrap(failLines(result.output).first, result.output)
        XCTAssertTrue(failure.hasPrefix("FAIL database: cannot connect"), failure)
        XCTAssertTrue(failure.contains("start PostgreSQL or correct [database] url"), failure)
        XCTAssertFalse(result.output.contains("hunter2-db"), "the database password is redacted")
        XCTAssertTrue(result.output.contains("ok   mailbox \"sales\": login as"), "the other checks still run: \(result.output)")
    }

    func testUnreadableSecretIsAConfigurationError() throws {
        let world = try ServiceWorld()
        try world.addMailbox("sales", messages: 1)
        try world.addMailbox("good", messages: 1)
        world.extraSections = smtpSection(world, passwordFile: world.dir.appendingPathComponent("no-such-smtp.secret").path)
        try world.writeConfig()
        try FileManager.default.removeItem(atPath: world.dir.appendingPathComponent("sales.secret").path)
        let result = try doctor(world)
        XCTAssertEqual(result.status, 78, result.output)
        let failures = failLines(result.output)
        XCTAssertEqual(failures.count, 2, result.output)
        XCTAssertTrue(failures.contains { $0.hasPrefix("FAIL mailbox \"sales\": [mailbox \"sales\"] secret from file") }, result.output)
        XCTAssertTrue(failures.contains { $0.hasPrefix("FAIL smtp: ") && $0.contains("no-such-smtp.secret") }, result.output)
        XCTAssertTrue(result.output.contains("make the secret readable by the service user"), result.output)
        XCTAssertTrue(result.output.contains("ok   mailbox \"good\": login as"), "the other mailbox is still checked: \(result.output)")
    }

    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw XCTSkip("cannot bind a local port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
