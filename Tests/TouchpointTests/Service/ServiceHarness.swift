import Foundation
import Postgres
import XCTest

/// A `touchpoint serve` child process whose stderr is collected line by line while it runs, so a
/// test can wait for log events, send signals and read the exit status.
final class RunningServe: @unchecked Sendable {
    // Safe: `lines` and `partial` are only touched while holding `lock`; `process` is used from
    // the test's thread only.
    let process = Process()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = Data()
    private let drained = DispatchSemaphore(value: 0)
    let name: String

    init(arguments: [String], environment: [String: String] = [:], name: String = "serve") throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: TestStack.touchpointBinary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = err.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                append(chunk)
            }
            drained.signal()
        }.start()
    }

    private func append(_ chunk: Data) {
        lock.lock(); defer { lock.unlock() }
        partial.append(chunk)
        while let newline = partial.firstIndex(of: 0x0A) {
            lines.append(String(decoding: partial[partial.startIndex...newline], as: UTF8.self))
            partial = Data(partial[partial.index(after: newline)...])
        }
    }

    var log: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    var pid: Int32 { process.processIdentifier }

    /// Parsed events named `event`, in order.
    func events(_ event: String) -> [[String: String]] {
        log.compactMap(LoggerTests.parseLogfmt).filter { $0["event"] == event }
    }

    /// Waits (bounded) until an event matching `predicate` was logged; returns it.
    @discardableResult
    func waitFor(_ event: String, timeout: TimeInterval = 30, where predicate: ([String: String]) -> Bool = { _ in true }) -> [String: String]? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let found = events(event).first(where: predicate) { return found }
            if !process.isRunning, let found = events(event).first(where: predicate) { return found }
            if !process.isRunning { return nil }
            Thread.sleep(forTimeInterval: 0.05)
        } while Date() < deadline
        return nil
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// The exit status, or nil when it did not end in time (it is killed then).
    func waitForExit(timeout: TimeInterval = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard !process.isRunning else {
            signal(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        _ = drained.wait(timeout: .now() + 5)
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A database, mail users and a config file for running the real daemon against the stack.
final class ServiceWorld {
    let stack: TestStack
    let database: StoreTestDatabase
    let dir: URL
    let configPath: String
    /// Every password and token handed out, to prove none reaches a log line.
    private(set) var secrets: [String] = []
    private var mailboxSections: [String: String] = [:]
    var extraSections = ""
    static let customer = "buyer@customer.example"

    init() throws {
        stack = try TestStack()
        database = try StoreTestDatabase()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tp-service-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        configPath = dir.appendingPathComponent("touchpoint.conf").path
        secrets = [stack["TP_IMAP_PASSWORD"], stack["TP_SMTP_PASSWORD"], stack["TP_IMAP_OAUTH_TOKEN"]].filter { !$0.isEmpty }
        // The test role's password may be a plain word that occurs elsewhere: look for it as it sits in a URL.
        if let components = URLComponents(string: database.url), let password = components.password {
            secrets.append(":\(password)@")
        }
        let contacts = dir.appendingPathComponent("contacts.csv").path
        try "name,email,account,account_domains,owner_email\nBuyer,\(Self.customer),Customer Ltd,customer.example,\n"
            .write(toFile: contacts, atomically: true, encoding: .utf8)
        try writeConfig()
        let imported = try TestStack.run(TestStack.touchpointBinary, ["--config", configPath, "import", "contacts", contacts])
        XCTAssertEqual(imported.status, 0, imported.error)
    }

    deinit {
        database.drop()
        try? FileManager.default.removeItem(at: dir)
    }

    /// Writes `count` small inbound messages from the customer as one .eml file each.
    func generateMail(count: Int, tag: String, to recipient: String, subject: (Int) -> String = { "Order \($0)" }) throws -> URL {
        let mailDir = dir.appendingPathComponent("mail-\(tag)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: mailDir, withIntermediateDirectories: true)
        for index in 1...count {
            let text = "From: Buyer <\(Self.customer)>\r\nTo: <\(recipient)>\r\nSubject: \(subject(index))\r\n"
                + "Date: Mon, 2 Nov 2026 10:\(String(format: "%02d", index % 60)):00 +0000\r\n"
                + "Message-ID: <\(tag)-\(index)@customer.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\nHello, message \(index).\r\n"
            try text.write(to: mailDir.appendingPathComponent(String(format: "%06d.eml", index)), atomically: false, encoding: .utf8)
        }
        return mailDir
    }

    /// A new mail user with `count` messages in INBOX; its section is added to the config (not
    /// written until `writeConfig`).
    @discardableResult
    func addMailbox(_ name: String, messages count: Int, pollInterval: String = "60s", batchSize: Int = 500,
                    subject: @escaping (Int) -> String = { "Order \($0)" }) throws -> (user: String, password: String) {
        let login = try stack.addMailUser("svc-\(name)")
        secrets.append(login.password)
        let secretPath = dir.appendingPathComponent("\(name).secret").path
        try login.password.write(toFile: secretPath, atomically: true, encoding: .utf8)
        if count > 0 {
            let mail = try generateMail(count: count, tag: "\(name)-\(UUID().uuidString.prefix(6))", to: login.user, subject: subject)
            try stack.stack(["load-mail", login.user, "INBOX", mail.path])
        }
        mailboxSections[name] = """
        [mailbox "\(name)"]
        url = imaps://127.0.0.1:\(stack["TP_IMAPS_PORT"])/
        user = \(login.user)
        password-file = \(secretPath)
        ca-file = \(stack["TP_CA_FILE"])
        folders = INBOX
        poll-interval = \(pollInterval)
        idle = no
        batch-size = \(batchSize)

        """
        return login
    }

    func writeConfig(only names: Set<String>? = nil) throws {
        let sections = mailboxSections.sorted { $0.key < $1.key }.filter { names?.contains($0.key) ?? true }.map(\.value).joined()
        try """
        [database]
        url = \(database.url)
        [company]
        domains = example.com
        [ingest]
        backoff-initial = 500ms
        backoff-max = 2s
        \(extraSections)
        \(sections)
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func serve(_ extra: [String] = [], environment: [String: String] = [:], name: String = "serve") throws -> RunningServe {
        try RunningServe(arguments: ["--config", configPath] + extra + ["serve"], environment: environment, name: name)
    }

    func count(_ sql: PostgresQuery) throws -> Int64 {
        try database.connect().query(sql).scalar(Int64.self)
    }

    /// Lines containing any handed-out secret.
    func linesLeakingSecrets(_ lines: [String]) -> [String] {
        lines.filter { line in secrets.contains { line.contains($0) } }
    }
}
