import CRM
import Foundation
import MIME
import Postgres

/// One reminder run (DESIGN §6): under the leader lock, read per-customer summaries from SQL, fit
/// BG/NBD over all customers, apply the policy, and write the new reminders together with one
/// digest per owner into the outbox in ONE transaction; then send what the outbox holds.
///
/// Blocking (libpq, libcurl): run it on a dedicated thread, never on Swift's cooperative pool.
public final class ReminderRun {
    /// Leader election among daemons sharing a database. ASCII "tpremind".
    public static let leaderLockKey: Int64 = 0x7470_7265_6D69_6E64
    public static let notifyChannel = "touchpoint_reminders"

    public struct Options: Sendable {
        /// The local day the run is for; nil: today in the configured time zone.
        public var today: PurchaseDay?
        /// Evaluate and report, write nothing, send nothing.
        public var dryRun = false
        /// Send pending digests after creating them.
        public var send = true
        /// Only send pending outbox rows due by now (the scheduler's retry pass).
        public var sendOnly = false
        public init(today: PurchaseDay? = nil, dryRun: Bool = false, send: Bool = true, sendOnly: Bool = false) {
            self.today = today
            self.dryRun = dryRun
            self.send = send
            self.sendOnly = sendOnly
        }
    }

    /// A reminder the run created (or, in a dry run, would create).
    public struct Created: Sendable, Hashable {
        public var reminderID: Int64?
        public var contactID: Int64
        public var owner: String?
        public var entry: DigestEntry
    }

    public struct Outcome: Sendable {
        /// false: another instance holds the leader lock; nothing was done.
        public var ranAsLeader = true
        public var today: PurchaseDay
        public var customers = 0
        public var parameters: BGNBDParameters?
        public var converged = false
        public var fitSeconds = 0.0
        /// Reading the per-customer summaries, applying the policy (P(alive), lateness, expected
        /// purchases for everyone), and writing reminders + digests.
        public var summarySeconds = 0.0
        public var scoreSeconds = 0.0
        public var writeSeconds = 0.0
        public var created: [Created] = []
        public var suppressed = 0
        public var digests = 0
        public var sent = 0
        public var retrying = 0
        public var failed = 0
    }

    private let connection: PostgresConnection
    private let settings: ReminderSettings
    private let logger: Logger

    public init(connection: PostgresConnection, settings: ReminderSettings, logger: Logger) {
        self.connection = connection
        self.settings = settings
        self.logger = logger
    }

    public func run(_ options: Options = Options(), now: Date = Date()) throws -> Outcome {
        let today = options.today ?? PurchaseDay(date: now, timeZone: settings.timeZone)
        var outcome = Outcome(today: today)
        guard try connection.tryAdvisoryLock(Self.leaderLockKey) else {
            outcome.ranAsLeader = false
            logger.info("reminder.skipped", ("reason", "another instance holds the reminder leader lock"))
            return outcome
        }
        defer { _ = try? connection.advisoryUnlock(Self.leaderLockKey) }
        if !options.sendOnly {
            try create(today: today, now: now, dryRun: options.dryRun, into: &outcome)
        }
        if options.send && !options.dryRun, let smtp = settings.smtp {
            let report = try OutboxSender(connection: connection, sender: settings.sender, smtp: smtp, logger: logger)
                .sendDue(now: max(now, Date()))  // digests written a moment ago are due too
            outcome.sent = report.sent
            outcome.retrying = report.retrying
            outcome.failed = report.failed
        }
        return outcome
    }

    // MARK: - Creation

    private func create(today: PurchaseDay, now: Date, dryRun: Bool, into outcome: inout Outcome) throws {
        let inputs = ReminderInputs(connection: connection, timeZone: settings.timeZone, defaultOwner: settings.defaultOwner)
        let readStart = Date()
        let candidates = try inputs.candidates(asOf: today, now: now, daysPerUnit: settings.policy.daysPerUnit)
        outcome.summarySeconds = Date().timeIntervalSince(readStart)
        outcome.customers = candidates.count
        guard !candidates.isEmpty else {
            logger.info("reminder.run", ("customers", 0), ("created", 0))
            return
        }
        let started = Date()
        let fit: BGNBDFit
        do {
            fit = try BGNBDFitter.fit(candidates.map(\.summary.history))
        } catch {
            // Too little history to fit (no repeat buyer yet): no model-based reminder is
            // trustworthy, so none is created; digests already pending are still sent.
            logger.warning("reminder.fit_failed", ("customers", .of(candidates.count)), ("error", .string("\(error)")))
            return
        }
        outcome.fitSeconds = Date().timeIntervalSince(started)
        outcome.parameters = fit.parameters
        outcome.converged = fit.converged
        guard fit.parameters.isValid else {
            logger.error("reminder.fit_failed", ("customers", .of(candidates.count)), ("error", "parameters out of range"),
                         ("parameters", .string(fit.parameters.description)))
            return
        }
        if !fit.converged {
            // The best point found is still a maximum-likelihood estimate of sorts; it is used, and
            // the admin learns that the data may be too thin or odd for precise reminders.
            logger.warning("reminder.fit_not_converged", ("customers", .of(candidates.count)),
                           ("iterations", .of(fit.iterations)), ("parameters", .string(fit.parameters.description)))
        }
        let scoreStart = Date()
        let evaluation = ReminderEngine.evaluate(candidates, model: fit.model, policy: settings.policy)
        outcome.scoreSeconds = Date().timeIntervalSince(scoreStart)
        let writeStart = Date()
        defer { outcome.writeSeconds = Date().timeIntervalSince(writeStart) }
        outcome.suppressed = evaluation.suppressed.count
        logger.info("reminder.fit", ("customers", .of(candidates.count)), ("converged", .string(fit.converged ? "yes" : "no")),
                    ("r", .double(fit.parameters.r)), ("alpha", .double(fit.parameters.alpha)),
                    ("a", .double(fit.parameters.a)), ("b", .double(fit.parameters.b)), ("seconds", .seconds(outcome.fitSeconds)))

        let end = today.adding(days: 1).start(in: settings.timeZone)
        let contactIDs = evaluation.reminders.compactMap { Int64($0.customerID) }
        let details = try inputs.details(of: contactIDs, before: end)
        let proposals = evaluation.reminders.compactMap { reminder -> Created? in
            guard let id = Int64(reminder.customerID), let contact = details[id] else { return nil }
            let entry = DigestEntry(customerName: contact.name.isEmpty ? (contact.email ?? "contact \(id)") : contact.name,
                                    customerEmail: contact.email, account: contact.account, kind: reminder.kind,
                                    lastPurchase: reminder.lastPurchase, typicalIntervalDays: reminder.typicalIntervalDays,
                                    lastContact: contact.lastContact, reason: reminder.reason, pAlive: reminder.pAlive)
            return Created(reminderID: nil, contactID: id, owner: reminder.owner, entry: entry)
        }
        if dryRun {
            outcome.created = proposals
            return
        }
        let byContactKind = Dictionary(evaluation.reminders.map { ("\($0.customerID)/\(ReminderKindColumn.value($0.kind))", $0) },
                                       uniquingKeysWith: { first, _ in first })
        try connection.transaction { tx in
            outcome.created = try store(proposals, reminders: byContactKind, today: today, tx)
            outcome.digests = try writeDigests(outcome.created, today: today, tx)
            if !outcome.created.isEmpty {
                try tx.notify(Self.notifyChannel, payload: String(outcome.created.count))
            }
        }
        for created in outcome.created {
            logger.info("reminder.created", ("reminder", .of(created.reminderID ?? 0)), ("contact", .of(created.contactID)),
                        ("kind", .string(created.entry.kind.rawValue)), ("owner", .string(created.owner ?? "")))
        }
        logger.info("reminder.run", ("customers", .of(candidates.count)), ("created", .of(outcome.created.count)),
                    ("suppressed", .of(outcome.suppressed)), ("digests", .of(outcome.digests)))
    }

    /// Inserts the reminders; the partial unique index (one unresolved reminder per contact and
    /// kind) turns a concurrent duplicate into a silent no-op. Returns only the rows inserted.
    private func store(_ proposals: [Created], reminders: [String: Reminder], today: PurchaseDay,
                       _ tx: PostgresConnection) throws -> [Created] {
        guard !proposals.isEmpty else { return [] }
        if let owner = settings.defaultOwner {
            try tx.query("INSERT INTO owners (email) VALUES (\(owner)) ON CONFLICT (email) DO NOTHING")
        }
        var contactIDs: [Int] = [], owners: [String] = [], kinds: [String] = [], reasons: [String] = []
        var dueAt: [Date] = [], pAlive: [Double] = [], expected: [Double] = []
        for proposal in proposals {
            let kind = ReminderKindColumn.value(proposal.entry.kind)
            guard let reminder = reminders["\(proposal.contactID)/\(kind)"] else { continue }
            contactIDs.append(Int(proposal.contactID))
            owners.append(proposal.owner ?? "")
            kinds.append(kind)
            reasons.append(reminder.reason)
            dueAt.append(reminder.dueDay.start(in: settings.timeZone))
            pAlive.append(min(1, max(0, reminder.pAlive)))
            expected.append(max(0, reminder.expectedPurchases))
        }
        let rows = try tx.query("""
            INSERT INTO reminders (contact_id, owner_id, kind, reason, due_at, p_alive, expected_purchases)
            SELECT n.contact_id, o.id, n.kind, n.reason, n.due_at, n.p_alive, n.expected
              FROM unnest(\(contactIDs)::bigint[], \(owners)::text[], \(kinds)::text[], \(reasons)::text[],
                          \(dueAt)::timestamptz[], \(pAlive)::float8[], \(expected)::float8[])
                   AS n(contact_id, owner, kind, reason, due_at, p_alive, expected)
              LEFT JOIN owners o ON o.email = lower(n.owner)
            ON CONFLICT (contact_id, kind) WHERE status IN ('open', 'sent') DO NOTHING
            RETURNING id, contact_id, kind
            """)
        var inserted: [String: Int64] = [:]
        for row in rows {
            inserted["\(try row.decode(Int64.self, at: 1))/\(try row.decode(String.self, at: 2))"] = try row.decode(Int64.self, at: 0)
        }
        return proposals.compactMap { proposal in
            guard let id = inserted["\(proposal.contactID)/\(ReminderKindColumn.value(proposal.entry.kind))"] else { return nil }
            var created = proposal
            created.reminderID = id
            created.entry.reminderID = id
            return created
        }
    }

    /// One outbox row per owner, in the reminders' transaction (transactional outbox): either the
    /// reminders and their digest exist together, or neither does.
    private func writeDigests(_ created: [Created], today: PurchaseDay, _ tx: PostgresConnection) throws -> Int {
        var byOwner: [String: [Created]] = [:]
        var unowned = 0
        for reminder in created {
            guard let owner = reminder.owner, !owner.isEmpty else { unowned += 1; continue }
            byOwner[owner.lowercased(), default: []].append(reminder)
        }
        if unowned > 0 {
            logger.warning("digest.unaddressed", ("reminders", .of(unowned)),
                           ("hint", "set [reminders] default-owner to receive reminders of contacts without an owner"))
        }
        let domain = settings.sender.address.split(separator: "@").last.map(String.init) ?? "localhost"
        let owners = byOwner.keys.sorted()
        guard !owners.isEmpty else { return 0 }
        // Ids first, then one COPY and one UPDATE: a round trip per digest would dominate the run
        // when there are hundreds of owners.
        let outboxIDs = try tx.query("""
            SELECT nextval(pg_get_serial_sequence('outbox', 'id')) FROM generate_series(1, \(owners.count))
            """).map { try $0.decode(Int64.self, at: 0) }
        var rows = PostgresCopyRows()
        var reminderIDs: [Int] = []
        var reminderOutbox: [Int] = []
        for (owner, outboxID) in zip(owners, outboxIDs) {
            let reminders = byOwner[owner]!
            let rendered = DigestRenderer.render(reminders.map(\.entry), today: today)
            var builder = MessageBuilder(from: settings.sender, to: [Mailbox(address: owner)], subject: rendered.subject,
                                         text: rendered.text, html: rendered.html, messageIDDomain: domain)
            builder.extraHeaders = [("Auto-Submitted", "auto-generated")]
            let message = try builder.build()
            try rows.append(Int(outboxID))
            try rows.append(owner)
            try rows.append(rendered.subject)
            try rows.append(PostgresBytes(message.bytes))
            rows.endRow()
            for id in reminders.compactMap(\.reminderID) {
                reminderIDs.append(Int(id))
                reminderOutbox.append(Int(outboxID))
            }
        }
        try tx.copyIn("COPY outbox (id, owner_email, subject, body) FROM STDIN", rows: rows)
        try tx.query("""
            UPDATE reminders r SET outbox_id = m.outbox_id
              FROM unnest(\(reminderIDs)::bigint[], \(reminderOutbox)::bigint[]) AS m(id, outbox_id)
             WHERE r.id = m.id
            """)
        return byOwner.count
    }
}
