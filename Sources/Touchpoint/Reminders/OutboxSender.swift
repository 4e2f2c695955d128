import Curl
import Foundation
import MIME
import Postgres
import SMTP

/// Sends pending `outbox` rows whose time has come and records each outcome.
///
/// pending → sent (sent_at set) on acceptance; a transient failure counts an attempt and schedules
/// the next one with capped exponential backoff (1 min, 2, 4 … at most 1 h; after `maximumAttempts`
/// the row is failed); a permanent failure is failed at once with the server's answer in last_error.
///
/// The one duplicate window: the SMTP server accepted the digest, then we crashed (or lost the
/// database) before the UPDATE to `sent` committed. The row is still pending and the next pass sends
/// it again. Nothing can close that window without a two-phase commit with the SMTP server. The other
/// half of the risk is handled: when the server's verdict itself was lost after DATA
/// (`SMTPError.mayHaveBeenDelivered`) the row is marked failed with an explicit error instead of being
/// resent blindly, so an admin decides (`UPDATE outbox SET status = 'pending' …` resends it).
struct OutboxSender {
    static let maximumAttempts = 10
    static let firstRetryDelaySeconds = 60
    static let maximumRetryDelaySeconds = 3600
    /// Bounds one pass; the rest waits for the next pass.
    static let rowsPerPass = 200

    struct Report: Sendable, Equatable {
        var sent = 0
        var retrying = 0
        var failed = 0
    }

    let connection: PostgresConnection
    let sender: Mailbox
    let smtp: SMTPConfig
    let logger: Logger

    static func retryDelaySeconds(afterAttempts attempts: Int) -> Int {
        let doublings = min(max(attempts - 1, 0), 20)
        return min(firstRetryDelaySeconds << doublings, maximumRetryDelaySeconds)
    }

    /// Sends every pending row due at `now`. Never throws for SMTP trouble (that is recorded per row);
    /// throws only when the database fails.
    func sendDue(now: Date) throws -> Report {
        var report = Report()
        let rows = try connection.query("""
            SELECT id, owner_email, body, attempts FROM outbox
             WHERE status = 'pending' AND next_attempt_at <= \(now)
             ORDER BY id LIMIT \(Self.rowsPerPass)
            """)
        guard !rows.isEmpty else { return report }
        let client: SMTPClient
        let from: EnvelopeAddress
        do {
            client = try SMTPClient(endpoint: try MailEndpoints.smtp(smtp), clientName: "localhost")
            from = try EnvelopeAddress(sender.address)
        } catch {
            // A broken [smtp] section or unreadable secret: nothing can be sent; the rows wait.
            logger.error("digest.failed", ("error", .string("\(error)")), ("pending", .of(rows.count)))
            return report
        }
        defer { client.disconnect() }
        for row in rows {
            let id = try row.decode(Int64.self, at: 0)
            let owner = try row.decode(String.self, at: 1)
            let body = try row.decode([UInt8].self, at: 2)
            let attempts = try row.decode(Int.self, at: 3) + 1
            do {
                let recipient = try EnvelopeAddress(owner)
                _ = try client.send(body, from: from, to: [recipient])
            } catch {
                try record(error, id: id, owner: owner, attempts: attempts, report: &report)
                continue
            }
            try connection.transaction { tx in
                try tx.query("""
                    UPDATE outbox SET status = 'sent', sent_at = now(), attempts = \(attempts), last_error = NULL
                     WHERE id = \(id)
                    """)
                try tx.query("UPDATE reminders SET status = 'sent', sent_at = now() WHERE outbox_id = \(id) AND status = 'open'")
            }
            report.sent += 1
            logger.info("digest.sent", ("outbox", .of(id)), ("owner", .string(owner)), ("attempts", .of(attempts)))
        }
        return report
    }

    private func record(_ error: SMTPError, id: Int64, owner: String, attempts: Int, report: inout Report) throws {
        let message: String
        let retry: Bool
        if error.mayHaveBeenDelivered {
            message = "not resent: the SMTP server may have accepted this digest but its reply was lost (\(error)); "
                + "set status to 'pending' to send it again"
            retry = false
        } else if error.isTransient && attempts < Self.maximumAttempts {
            message = "\(error)"
            retry = true
        } else {
            message = error.isTransient ? "gave up after \(attempts) attempts: \(error)" : "\(error)"
            retry = false
        }
        if retry {
            let delay = Self.retryDelaySeconds(afterAttempts: attempts)
            try connection.query("""
                UPDATE outbox SET attempts = \(attempts), last_error = \(message),
                       next_attempt_at = now() + make_interval(secs => \(delay))
                 WHERE id = \(id)
                """)
            report.retrying += 1
            logger.warning("digest.failed", ("outbox", .of(id)), ("owner", .string(owner)), ("attempts", .of(attempts)),
                           ("retry_in_seconds", .of(delay)), ("error", .string("\(error)")))
        } else {
            try connection.query("""
                UPDATE outbox SET status = 'failed', attempts = \(attempts), last_error = \(message) WHERE id = \(id)
                """)
            report.failed += 1
            logger.error("digest.failed", ("outbox", .of(id)), ("owner", .string(owner)), ("attempts", .of(attempts)),
                         ("error", .string(message)))
        }
    }
}
