import Foundation

/// `touchpoint doctor`: connects to every configured service and says, one line per check, what
/// works and what to fix. Sends no mail and changes nothing on any server.
struct DoctorCommand: Command {
    let name = "doctor"
    let summary = "connect to the database, every mailbox and SMTP; say what works and what to fix"
    let help = """
    Usage: touchpoint doctor [--config PATH]

    Checks, one line each, `ok` or `FAIL` with what to do about it:
      database  connect, server version, schema version against this binary, write permission
                (a table created and dropped again inside a rolled-back transaction)
      mailbox   for each one: TCP connect, TLS mode and certificate, login, LIST, which
                configured folders resolve (\\Sent included), EXAMINE counts (read-only)
      smtp      TCP connect, TLS (STARTTLS or implicit) and certificate, AUTH; no mail is sent

    Exit status: 0 when every check passed, 69 when a service failed a check, 78 when the
    configuration itself is wrong (unreadable file, secret or CA file).

    """
    let spec = Arguments.Spec()

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positionals.isEmpty else { throw CommandFailure.usage("takes no arguments") }
        let config = try context.loadConfig()
        var report = DoctorReport { context.io.out($0) }
        report.pass("config", "\(config.path): syntax and values")
        DatabaseDoctor(url: config.databaseURL).check(&report)
        for mailbox in config.mailboxes {
            MailboxDoctor(mailbox: mailbox, environment: context.io.environment).check(&report)
        }
        if let smtp = config.smtp {
            SMTPDoctor(smtp: smtp, environment: context.io.environment).check(&report)
        }
        let failed = report.failures
        context.io.out(failed == 0 ? "all \(report.checks) checks passed\n" : "\(failed) of \(report.checks) checks failed\n")
        if report.configurationFailures > 0 { return .configuration }
        return failed == 0 ? .success : .unavailable
    }
}

/// Collects check results and prints each as it happens (a slow server must not hide the lines
/// that came before it).
struct DoctorReport {
    enum Kind { case service, configuration }

    let write: (String) -> Void
    private(set) var checks = 0
    private(set) var failures = 0
    private(set) var configurationFailures = 0

    init(write: @escaping (String) -> Void) {
        self.write = write
    }

    mutating func pass(_ subject: String, _ what: String) {
        checks += 1
        write("ok   \(subject): \(Self.oneLine(what))\n")
    }

    mutating func fail(_ subject: String, _ what: String, fix: String, kind: Kind = .service) {
        checks += 1
        failures += 1
        if kind == .configuration { configurationFailures += 1 }
        write("FAIL \(subject): \(Self.oneLine(what)) -> \(Self.oneLine(fix))\n")
    }

    /// Server texts end up in these lines: one check stays one line, with no terminal escapes.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { Logfmt.isControl($0) ? " " : $0 }))
    }
}
