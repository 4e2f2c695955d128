import CRM
import Foundation
import MIME
import Postgres

/// Writes a run's reminders and their digests inside the caller's transaction (transactional
/// outbox: the reminders and the digest announcing them exist together or not at all).
///
/// Set-based on purpose, measured with 10,000 reminders: ids come from the sequences up front, the
/// digests go in with one COPY and the reminders with one INSERT that already carries `outbox_id`
/// (an UPDATE afterwards cost a second per 10,000 rows). `owner_id` is set only for reminders
/// routed to `default-owner`; NULL means "the contact's or account's owner", which the
/// reminder_log view resolves, and spares a foreign-key check per row.
struct ReminderWriter {
    /// Another writer opened a reminder for one of our (contact, kind) pairs after we read.
    struct Conflict: Error {}

    let settings: ReminderSettings
    let logger: Logger
    /// The policy's reminders by "contactID/kind column".
    let reminders: [String: Reminder]
    let today: PurchaseDay
    let defaultOwned: Set<String>

    func write(_ proposals: [ReminderRun.Created], _ tx: PostgresConnection) throws -> (created: [ReminderRun.Created], digests: Int) {
        guard !proposals.isEmpty else { return ([], 0) }
        var byOwner: [String: [Int]] = [:]
        var unowned = 0
        for (index, proposal) in proposals.enumerated() {
            guard let owner = proposal.owner?.lowercased(), !owner.isEmpty else { unowned += 1; continue }
            byOwner[owner, default: []].append(index)
        }
        if unowned > 0 {
            logger.warning("digest.unaddressed", ("reminders", .of(unowned)),
                           ("hint", "set [reminders] default-owner to receive reminders of contacts without an owner"))
        }
        if let owner = settings.defaultOwner {
            try tx.query("INSERT INTO owners (email) VALUES (\(owner)) ON CONFLICT (email) DO NOTHING")
        }
        let reminderIDs = try nextIDs("reminders", proposals.count, tx)
        let owners = byOwner.keys.sorted()
        let outboxIDs = try nextIDs("outbox", owners.count, tx)
        var created = proposals
        for index in created.indices {
            created[index].reminderID = reminderIDs[index]
            created[index].entry.reminderID = reminderIDs[index]
        }

        var outboxOf: [Int: Int64] = [:]
        var rows = PostgresCopyRows()
        let domain = settings.sender.address.split(separator: "@").last.map(String.init) ?? "localhost"
        for (owner, outboxID) in zip(owners, outboxIDs) {
            let indexes = byOwner[owner]!
            let rendered = DigestRenderer.render(indexes.map { created[$0].entry }, today: today)
            var builder = MessageBuilder(from: settings.sender, to: [Mailbox(address: owner)], subject: rendered.subject,
                                         text: rendered.text, html: rendered.html, messageIDDomain: domain)
            builder.extraHeaders = [("Auto-Submitted", "auto-generated")]
            try rows.append(outboxID)
            try rows.append(owner)
            try rows.append(rendered.subject)
            try rows.append(PostgresBytes(try builder.build().bytes))
            rows.endRow()
            for index in indexes { outboxOf[index] = outboxID }
        }
        if rows.rowCount > 0 {
            try tx.copyIn("COPY outbox (id, owner_email, subject, body) FROM STDIN", rows: rows)
        }

        var ids: [Int] = [], contactIDs: [Int] = [], defaultOwner: [String?] = [], kinds: [String] = [], reasons: [String] = []
        var dueAt: [Date] = [], pAlive: [Double] = [], expected: [Double] = [], outbox: [Int?] = []
        for (index, proposal) in created.enumerated() {
            let kind = ReminderKindColumn.value(proposal.entry.kind)
            guard let reminder = reminders["\(proposal.contactID)/\(kind)"] else { continue }
            ids.append(Int(proposal.reminderID!))
            contactIDs.append(Int(proposal.contactID))
            defaultOwner.append(defaultOwned.contains(reminder.customerID) ? proposal.owner?.lowercased() : nil)
            kinds.append(kind)
            reasons.append(reminder.reason)
            dueAt.append(reminder.dueDay.start(in: settings.timeZone))
            pAlive.append(min(1, max(0, reminder.pAlive)))
            expected.append(max(0, reminder.expectedPurchases))
            outbox.append(outboxOf[index].map(Int.init))
        }
        let inserted = try tx.query("""
            INSERT INTO reminders (id, contact_id, owner_id, kind, reason, due_at, p_alive, expected_purchases, outbox_id)
            SELECT n.id, n.contact_id, (SELECT o.id FROM owners o WHERE o.email = n.owner), n.kind, n.reason, n.due_at,
                   n.p_alive, n.expected, NULLIF(n.outbox_id, 0)
              FROM unnest(\(ids)::bigint[], \(contactIDs)::bigint[], \(defaultOwner.map { $0 ?? "" })::text[],
                          \(kinds)::text[], \(reasons)::text[], \(dueAt)::timestamptz[], \(pAlive)::float8[],
                          \(expected)::float8[], \(outbox.map { $0 ?? 0 })::bigint[])
                   AS n(id, contact_id, owner, kind, reason, due_at, p_alive, expected, outbox_id)
            ON CONFLICT (contact_id, kind) WHERE status IN ('open', 'sent') DO NOTHING
            """).affectedRows
        // A digest must not announce a reminder that was not stored: start over without it.
        guard inserted == ids.count else { throw Conflict() }
        return (created, rows.rowCount)
    }

    /// The proposals minus those whose (contact, kind) now has an unresolved reminder.
    func withoutOpenConflicts(_ proposals: [ReminderRun.Created], _ connection: PostgresConnection) throws -> [ReminderRun.Created] {
        let open = try connection.query("""
            SELECT contact_id, kind FROM reminders
             WHERE status IN ('open', 'sent') AND contact_id = ANY(\(proposals.map { Int($0.contactID) })::bigint[])
            """)
        var taken: Set<String> = []
        for row in open { taken.insert("\(try row.decode(Int64.self, at: 0))/\(try row.decode(String.self, at: 1))") }
        return proposals.filter { !taken.contains("\($0.contactID)/\(ReminderKindColumn.value($0.entry.kind))") }
    }

    private func nextIDs(_ table: String, _ count: Int, _ tx: PostgresConnection) throws -> [Int64] {
        guard count > 0 else { return [] }
        return try tx.query("""
            SELECT nextval(pg_get_serial_sequence(\(table), 'id')) FROM generate_series(1, \(count))
            """).map { try $0.decode(Int64.self, at: 0) }
    }
}
