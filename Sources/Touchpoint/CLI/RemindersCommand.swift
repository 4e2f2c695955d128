import CRM
import Foundation

/// `touchpoint reminders list|run|ack|dismiss`.
struct RemindersCommand: Command {
    let name = "reminders"
    let summary = "list, run, acknowledge or dismiss purchase reminders"
    let help = """
    Usage: touchpoint reminders list [--owner EMAIL] [--status open|sent|acked|dismissed|expired] [--config PATH]
           touchpoint reminders run [--dry-run] [--today YYYY-MM-DD] [--config PATH]
           touchpoint reminders ack ID [--config PATH]
           touchpoint reminders dismiss ID [--for 30d] [--config PATH]

    list     the newest reminders (at most 1000) from the reminder_log view: id, status, kind,
             contact, owner, due day, and the reason in plain words. Statuses: open (created),
             sent (in a digest), acked, dismissed, expired (the customer bought again).
    run      what the daily schedule does, now: under the leader lock, fit the BG/NBD model over
             all customers' purchases, create the due, win-back and first-repeat reminders, write
             one digest per owner to the outbox and send the pending digests. A second run on the
             same day creates and sends nothing. --dry-run prints what would be created and writes
             nothing; --today evaluates as of another local day (purchases and mail after it are ignored).
    ack      the rep dealt with the reminder: no reminder of that kind for that contact until the
             customer buys again.
    dismiss  not worth acting on; --for 30d (days, or weeks as 4w) also snoozes: no reminder of
             that kind for that contact before then, even after a new purchase.

    Exit status: 0 done (run: also when another instance is the leader and nothing was done),
    64 usage, 65 reminder not found or already resolved, 69 database unreachable, 75 some digests
    could not be sent yet (they are retried), 78 configuration.

    """
    let spec = Arguments.Spec(flags: ["--dry-run"], options: ["--owner", "--status", "--for", "--today"])

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard let action = arguments.positionals.first else {
            throw CommandFailure.usage("expected: reminders list|run|ack|dismiss")
        }
        let rest = Array(arguments.positionals.dropFirst())
        switch action {
        case "list":
            guard rest.isEmpty else { throw CommandFailure.usage("reminders list takes no positional arguments") }
            return try list(arguments, context)
        case "run":
            guard rest.isEmpty else { throw CommandFailure.usage("reminders run takes no positional arguments") }
            return try runNow(arguments, context)
        case "ack", "dismiss":
            guard rest.count == 1, let id = Int64(rest[0]), id > 0 else {
                throw CommandFailure.usage("expected: reminders \(action) ID (a reminder id from `reminders list`)")
            }
            return try resolve(action, id: id, arguments, context)
        default:
            throw CommandFailure.usage("unknown reminders action '\(action)' (known: list, run, ack, dismiss)")
        }
    }

    private func list(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        if let status = arguments.value("--status"), !ReminderLog.statuses.contains(status) {
            throw CommandFailure.usage("--status must be one of \(ReminderLog.statuses.joined(separator: ", "))")
        }
        let database = try Database.connectMigrated(try context.loadConfig())
        let rows = try ReminderLog(database).list(owner: arguments.value("--owner"), status: arguments.value("--status"))
        if rows.isEmpty {
            context.io.out("no reminders\n")
            return .success
        }
        var text = ""
        for row in rows {
            let due = row.dueAt.ISO8601Format(.iso8601.year().month().day())
            let likelihood = row.pAlive.map { " — " + DigestRenderer.likelihood($0) } ?? ""
            text += "\(row.id)\t\(row.status)\t\(row.kind)\t\(row.contactEmail ?? "-")\towner \(row.ownerEmail ?? "-")\tdue \(due)\n"
            text += "\t\(row.reason)\(likelihood)\n"
        }
        context.io.out(text)
        return .success
    }

    private func runNow(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        var options = ReminderRun.Options(dryRun: arguments.has("--dry-run"))
        if let text = arguments.value("--today") {
            guard let day = PurchaseDay(parsing: Substring(text)) else {
                throw CommandFailure.usage("--today must be a date like 2026-11-16")
            }
            options.today = day
        }
        let config = try context.loadConfig()
        let settings: ReminderSettings
        do { settings = try ReminderSettings(config: config) } catch {
            throw CommandFailure(.configuration, error.description)
        }
        let database = try Database.connectMigrated(config)
        let outcome = try ReminderRun(connection: database, settings: settings, logger: context.logger).run(options)
        guard outcome.ranAsLeader else {
            context.io.out("another instance is running reminders now (leader lock held); nothing done\n")
            return .success
        }
        if options.dryRun {
            var text = "dry run for \(outcome.today): \(outcome.customers) customers, \(outcome.created.count) reminders would be created\n"
            for created in outcome.created {
                let entry = created.entry
                text += "\(created.owner ?? "(no owner)")\t\(entry.kind.rawValue)\t\(entry.customerName)"
                text += "\(entry.customerEmail.map { " <\($0)>" } ?? "")\t\(entry.reason)\n"
            }
            context.io.out(text)
            return .success
        }
        context.io.out("reminders for \(outcome.today): \(outcome.customers) customers, \(outcome.created.count) created, "
            + "\(outcome.suppressed) suppressed, \(outcome.digests) digests written; \(outcome.sent) sent, "
            + "\(outcome.retrying) to retry, \(outcome.failed) failed\n")
        return outcome.retrying > 0 ? .temporaryFailure : .success
    }

    private func resolve(_ action: String, id: Int64, _ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        var snoozeDays: Int?
        if let text = arguments.value("--for") {
            guard action == "dismiss" else { throw CommandFailure.usage("--for applies to dismiss only") }
            guard let days = Self.days(text) else {
                throw CommandFailure.usage("--for must be a number of days or weeks like 30d or 4w (at most 3650 days)")
            }
            snoozeDays = days
        }
        let database = try Database.connectMigrated(try context.loadConfig())
        let log = ReminderLog(database)
        do {
            if action == "ack" { try log.acknowledge(id) } else { try log.dismiss(id, snoozeDays: snoozeDays) }
        } catch let failure as ReminderLog.Failure {
            throw CommandFailure(.dataError, failure.description)
        }
        context.io.out("reminder \(id) \(action == "ack" ? "acknowledged" : "dismissed")"
            + (snoozeDays.map { "; no reminder of its kind for this contact for \($0) days" } ?? "") + "\n")
        return .success
    }

    /// `30d`, `4w`, `30` (days).
    static func days(_ text: String) -> Int? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        var factor = 1
        if digits.hasSuffix("d") { digits = digits.dropLast() } else if digits.hasSuffix("w") { digits = digits.dropLast(); factor = 7 }
        guard let value = Int(digits), value > 0, value * factor <= 3650 else { return nil }
        return value * factor
    }
}
