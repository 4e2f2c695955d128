import XCTest
@testable import Touchpoint

final class ConfigTests: XCTestCase {
    let sample = """
    [database]
    url = postgresql:///touchpoint?host=/run/postgresql

    [company]
    domains = example.com, Example.co.uk
    timezone = Europe/Budapest

    [mailbox "sales"]
    url = imaps://imap.example.com/
    user = sales@example.com
    password-file = /run/credentials/touchpoint.service/sales-imap   ; or: oauth2-token-file =
    folders = INBOX, Sent
    poll-interval = 60s

    [mailbox "anna"]
    url = imap://mail.example.com:1143
    user = anna@example.com
    oauth2-token-credential = anna-token
    since = 2025-01-01

    [smtp]
    url = smtp://smtp.example.com:587
    starttls = required
    from = Touchpoint <touchpoint@example.com>

    [matching]
    unmatched = ignore            ; ignore | record | create
    strip-plus-tags = yes

    [reminders]
    schedule = 08:00
    default-owner = sales-team@example.com
    """

    func testDesignSampleParses() throws {
        let config = try Config.parse(path: "touchpoint.conf", text: sample)
        XCTAssertEqual(config.databaseURL, "postgresql:///touchpoint?host=/run/postgresql")
        XCTAssertEqual(config.companyDomains, ["example.com", "example.co.uk"])
        XCTAssertEqual(config.timeZone, "Europe/Budapest")
        XCTAssertEqual(config.mailboxes.count, 2)
        let sales = config.mailboxes[0]
        XCTAssertEqual(sales.name, "sales")
        XCTAssertEqual(sales.tls, .implicit)
        XCTAssertEqual(sales.port, 993)
        XCTAssertEqual(sales.secret, .file("/run/credentials/touchpoint.service/sales-imap"))
        XCTAssertEqual(sales.folders, ["INBOX", "Sent"])
        XCTAssertEqual(sales.pollInterval, .seconds(60))
        let anna = config.mailboxes[1]
        XCTAssertEqual(anna.tls, .starttls)
        XCTAssertEqual(anna.port, 1143)
        XCTAssertEqual(anna.auth, .xoauth2)
        XCTAssertEqual(anna.secret, .credential("anna-token"))
        XCTAssertEqual(anna.folders, ["INBOX", "\\Sent"])
        XCTAssertEqual(anna.since, ConfigValues.date("2025-01-01"))
        XCTAssertEqual(config.smtp?.tls, .starttls)
        XCTAssertEqual(config.matching.unmatched, .ignore)
        XCTAssertEqual(config.reminders.scheduleHour, 8)
        XCTAssertEqual(config.reminders.defaultOwner, "sales-team@example.com")
    }

    func testBadDurationNamesFileLineSectionAndKey() {
        let text = sample.replacingOccurrences(of: "poll-interval = 60s", with: "poll-interval = 6O")
        XCTAssertThrowsError(try Config.parse(path: "touchpoint.conf", text: text)) { error in
            XCTAssertEqual("\(error)", #"touchpoint.conf:13: [mailbox "sales"] poll-interval: "6O" is not a duration (e.g. 60s, 5m, 1h)"#)
        }
    }

    func testThreadWindowDefaultsTo30DaysAndIsBounded() throws {
        XCTAssertEqual(try Config.parse(path: "t.conf", text: sample).matching.threadWindow, .seconds(30 * 86_400))
        let twoWeeks = sample.replacingOccurrences(of: "strip-plus-tags = yes", with: "strip-plus-tags = yes\nthread-window = 2w")
        XCTAssertEqual(try Config.parse(path: "t.conf", text: twoWeeks).matching.threadWindow, .seconds(14 * 86_400))
        let off = sample.replacingOccurrences(of: "strip-plus-tags = yes", with: "strip-plus-tags = yes\nthread-window = 0")
        XCTAssertEqual(try Config.parse(path: "t.conf", text: off).matching.threadWindow, .zero)
        let typo = sample.replacingOccurrences(of: "strip-plus-tags = yes", with: "strip-plus-tags = yes\nthread-window = 30 days")
        XCTAssertThrowsError(try Config.parse(path: "touchpoint.conf", text: typo)) { error in
            XCTAssertEqual("\(error)", #"touchpoint.conf:29: [matching] thread-window: "30 days" is not a duration (e.g. 60s, 5m, 1h)"#)
        }
        let huge = sample.replacingOccurrences(of: "strip-plus-tags = yes", with: "strip-plus-tags = yes\nthread-window = 400d")
        XCTAssertThrowsError(try Config.parse(path: "touchpoint.conf", text: huge)) { error in
            XCTAssertEqual("\(error)", "touchpoint.conf:29: [matching] thread-window: must be at most 365d "
                           + "(a longer window chains unrelated mail with a recurring subject)")
        }
    }

    func testInlinePasswordIsRefused() {
        let text = sample.replacingOccurrences(of: "user = sales@example.com", with: "user = sales@example.com\npassword = hunter2")
        XCTAssertThrowsError(try Config.parse(path: "t.conf", text: text)) { error in
            XCTAssertTrue("\(error)".contains("password-file"))
            XCTAssertFalse("\(error)".contains("hunter2"), "the error must not echo the secret")
        }
    }

    func testUnknownKeyAndSectionAreReported() {
        XCTAssertThrowsError(try Config.parse(path: "t.conf", text: sample + "\n[matching]\nx = 1")) { error in
            XCTAssertTrue("\(error)".contains("appears twice"), "\(error)")
        }
        let typo = sample.replacingOccurrences(of: "poll-interval", with: "poll-intervall")
        XCTAssertThrowsError(try Config.parse(path: "t.conf", text: typo)) { error in
            XCTAssertTrue("\(error)".contains("poll-intervall: unknown key"), "\(error)")
        }
        XCTAssertThrowsError(try Config.parse(path: "t.conf", text: sample + "\n[mailboxes]\n")) { error in
            XCTAssertTrue("\(error)".contains("unknown section"), "\(error)")
        }
    }

    func testPlaintextOnlyWhenExplicit() throws {
        let plain = sample.replacingOccurrences(of: "url = imap://mail.example.com:1143", with: "url = imap://mail.example.com:1143\ntls = none")
        XCTAssertEqual(try Config.parse(path: "t.conf", text: plain).mailboxes[1].tls, TLSMode.none)
        let contradictory = sample.replacingOccurrences(of: "url = imaps://imap.example.com/", with: "url = imaps://imap.example.com/\ntls = none")
        XCTAssertThrowsError(try Config.parse(path: "t.conf", text: contradictory))
    }

    func testMissingSectionsExplainTheFix() {
        XCTAssertThrowsError(try Config.parse(path: "t.conf", text: "[company]\ndomains = example.com\n")) { error in
            XCTAssertTrue("\(error)".contains("add [database]"), "\(error)")
        }
    }

    func testQuotedValuesKeepCommentCharacters() throws {
        let file = try ConfigFile(path: "t", text: "[smtp]\nfrom = \"Sales; Team\" <s@example.com> ; trailing\n")
        XCTAssertEqual(file.sections[0].entries[0].value, "Sales; Team <s@example.com>")
        XCTAssertThrowsError(try ConfigFile(path: "t", text: "[smtp]\nfrom = \"unterminated\n"))
        XCTAssertThrowsError(try ConfigFile(path: "t", text: "key = before-section\n"))
    }

    func testValueSyntaxes() {
        XCTAssertEqual(ConfigValues.duration("1h30m"), .seconds(5400))
        XCTAssertEqual(ConfigValues.duration("500ms"), .milliseconds(500))
        XCTAssertEqual(ConfigValues.duration("45"), .seconds(45))
        XCTAssertNil(ConfigValues.duration("6O"))
        XCTAssertNil(ConfigValues.duration("m"))
        XCTAssertEqual(ConfigValues.byteSize("64KiB"), 65536)
        XCTAssertEqual(ConfigValues.byteSize("25MB"), 25 << 20)
        XCTAssertNil(ConfigValues.byteSize("lots"))
        XCTAssertEqual(ConfigValues.bool("Yes"), true)
        XCTAssertNil(ConfigValues.bool("maybe"))
        XCTAssertNil(ConfigValues.timeOfDay("24:00"))
        XCTAssertNil(ConfigValues.date("2025-02-30"))
    }

    func testSecretFromCredentialsDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tp-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "s3cret\n".write(to: dir.appendingPathComponent("sales"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try SecretSource.credential("sales").read(environment: ["CREDENTIALS_DIRECTORY": dir.path]), "s3cret")
        XCTAssertThrowsError(try SecretSource.credential("sales").read(environment: [:]))
        XCTAssertThrowsError(try SecretSource.file(dir.path + "/absent").read())
    }
}
