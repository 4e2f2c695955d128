import Foundation

/// `touchpoint check-config`: everything that can be verified without touching the network.
struct CheckConfigCommand: Command {
    let name = "check-config"
    let summary = "validate the configuration file offline (syntax, values, secret files)"
    let help = """
    Usage: touchpoint check-config [--config PATH]

    Reads the configuration file and checks everything that can be checked without connecting
    anywhere: syntax, every value (durations, sizes, URLs, addresses, time zone), that each
    secret file or systemd credential is readable, and that CA files exist. Prints a summary of
    what was found. Use `touchpoint doctor` to test the connections themselves.

    Exit status: 0 when valid, 78 when the configuration has an error (the message names the
    file, line, section and key).

    """
    let spec = Arguments.Spec()

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positionals.isEmpty else { throw CommandFailure.usage("takes no arguments") }
        let config = try context.loadConfig()
        var problems: [String] = []
        for mailbox in config.mailboxes {
            do { _ = try mailbox.secret.read(environment: context.io.environment) } catch {
                problems.append("[mailbox \"\(mailbox.name)\"] \(error)")
            }
            if let ca = mailbox.caFile, !FileManager.default.isReadableFile(atPath: ca) {
                problems.append("[mailbox \"\(mailbox.name)\"] ca-file \(ca) is not readable")
            }
        }
        if let smtp = config.smtp {
            if let secret = smtp.secret {
                do { _ = try secret.read(environment: context.io.environment) } catch { problems.append("[smtp] \(error)") }
            }
            if let ca = smtp.caFile, !FileManager.default.isReadableFile(atPath: ca) {
                problems.append("[smtp] ca-file \(ca) is not readable")
            }
        }
        var report = "\(config.path): syntax and values OK\n"
        report += "  database: \(DatabaseURL.redacted(config.databaseURL))\n"
        report += "  company domains: \(config.companyDomains.joined(separator: ", ")) (time zone \(config.timeZone))\n"
        for mailbox in config.mailboxes {
            let tls = mailbox.tls == .none ? "PLAINTEXT (tls = none)" : mailbox.tls.rawValue
            report += "  mailbox \(mailbox.name): \(mailbox.user) at \(mailbox.host):\(mailbox.port), \(tls), "
                + "folders \(mailbox.folders.joined(separator: ", ")), every \(DurationText.describe(mailbox.pollInterval))"
                + (mailbox.enabled ? "" : " (disabled)") + "\n"
        }
        if config.mailboxes.isEmpty { report += "  no mailboxes configured: `serve` will only run reminders\n" }
        report += "  threads: subject + participants fallback within \(DurationText.describe(config.matching.threadWindow))\n"
        if let smtp = config.smtp { report += "  smtp: \(smtp.url) (\(smtp.tls.rawValue)), from \(smtp.from)\n" }
        context.io.out(report)
        for mailbox in config.mailboxes where mailbox.tls == .none {
            context.io.err("warning: [mailbox \"\(mailbox.name)\"] uses tls = none: the password crosses the network in clear\n")
        }
        if !problems.isEmpty {
            throw CommandFailure(.configuration, "problems found:\n  " + problems.joined(separator: "\n  "))
        }
        return .success
    }
}

/// Database URLs may embed a password (`postgresql://user:secret@host/db`); never print it.
public enum DatabaseURL {
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else {
            return url.replacingOccurrences(of: #"password=[^&\s]*"#, with: "password=<redacted>", options: .regularExpression)
        }
        components.password = "<redacted>"
        return components.string?.removingPercentEncoding ?? "<unprintable url>"
    }
}
