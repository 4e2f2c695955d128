import Foundation
import Postgres

/// `touchpoint status`: what the daemon has done, read from the database.
struct StatusCommand: Command {
    let name = "status"
    let summary = "per mailbox and folder: last sync, messages logged, skips, errors"
    let help = """
    Usage: touchpoint status [--config PATH]

    Reads the database (not the running daemon, so it works from any host sharing it) and
    prints per mailbox and folder: the last successful sync and how long ago, messages seen,
    new, interactions logged, skipped, quarantined, and the current error if any; then the
    quarantine size and the reminders waiting to be sent.

    Exit status: 0, or 69 when the database is unreachable.

    """
    let spec = Arguments.Spec()

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positionals.isEmpty else { throw CommandFailure.usage("takes no arguments") }
        let config = try context.loadConfig()
        let database = try Database.connect(config)
        let version = try Migrator.currentVersion(database)
        guard version > 0 else {
            context.io.out("the database has no Touchpoint schema yet: run `touchpoint migrate` or start `touchpoint serve`\n")
            return .success
        }
        let rows = try database.query("""
            SELECT m.name, f.folder, f.last_success_at, extract(epoch FROM now() - f.last_success_at)::bigint,
                   f.messages_seen, f.messages_new, f.interactions_logged, f.messages_skipped, f.messages_quarantined,
                   f.last_error, f.uidvalidity, f.last_uid
              FROM folder_state f JOIN mailboxes m ON m.id = f.mailbox_id
             ORDER BY m.name, f.folder
            """)
        var out = ""
        let configured = Set(config.mailboxes.map(\.name))
        var seen = Set<String>()
        for row in rows {
            let mailbox = try row.decode(String.self, at: 0)
            seen.insert(mailbox)
            let folder = try row.decode(String.self, at: 1)
            let lag = try row.decode(Int64?.self, at: 3)
            let lastError = try row.decode(String?.self, at: 9)
            out += "\(mailbox)/\(folder): "
            out += lag.map { "last sync \(Self.ago($0)) ago" } ?? "never synced"
            out += "; seen \(try row.decode(Int64.self, at: 4)), new \(try row.decode(Int64.self, at: 5)), "
            out += "interactions \(try row.decode(Int64.self, at: 6)), skipped \(try row.decode(Int64.self, at: 7)), "
            out += "quarantined \(try row.decode(Int64.self, at: 8)); uidvalidity \(try row.decode(Int64.self, at: 10)), "
            out += "last uid \(try row.decode(Int64.self, at: 11))"
            if !configured.contains(mailbox) { out += " (no longer configured)" }
            out += "\n"
            if let lastError { out += "  error: \(lastError)\n" }
        }
        for mailbox in config.mailboxes where !seen.contains(mailbox.name) {
            out += "\(mailbox.name): not synced yet\n"
        }
        let quarantine = try database.query("SELECT count(*) FROM quarantine").scalar(Int64.self)
        let pending = try database.query("SELECT count(*) FROM reminders WHERE status = 'open'").scalar(Int64.self)
        let outbox = try database.query("SELECT count(*) FROM outbox WHERE status = 'pending'").scalar(Int64.self)
        out += "quarantined messages: \(quarantine); open reminders: \(pending); digests waiting to be sent: \(outbox)\n"
        context.io.out(out)
        return .success
    }

    static func ago(_ seconds: Int64) -> String {
        switch seconds {
        case ..<120: "\(seconds) s"
        case ..<7200: "\(seconds / 60) min"
        case ..<172_800: "\(seconds / 3600) h"
        default: "\(seconds / 86_400) days"
        }
    }
}
