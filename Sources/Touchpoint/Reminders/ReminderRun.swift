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
        if !dryRun { try expireAnswered() }
        let readStart = Date()
        let (candidates, defaultOwned) = try inputs.candidates(asOf: today, now: now, daysPerUnit: settings.policy.daysPerUnit)
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
        let writer = ReminderWriter(settings: settings, logger: logger, reminders: byContactKind, today: today,
                                    defaultOwned: defaultOwned)
        var pending = proposals
        // Bounded: a conflict means another writer (not a reminder run: the leader lock excludes
        // those) opened a reminder for one of these contacts meanwhile; drop those and write the rest.
        for attempt in 1...3 {
            do {
                try connection.transaction { tx in
                    (outcome.created, outcome.digests) = try writer.write(pending, tx)
                    if !outcome.created.isEmpty {
                        try tx.notify(Self.notifyChannel, payload: String(outcome.created.count))
                    }
                }
                break
            } catch is ReminderWriter.Conflict where attempt < 3 {
                pending = try writer.withoutOpenConflicts(pending, connection)
            }
        }
        for created in outcome.created {
            logger.info("reminder.created", ("reminder", .of(created.reminderID ?? 0)), ("contact", .of(created.contactID)),
                        ("kind", .string(created.entry.kind.rawValue)), ("owner", .string(created.owner ?? "")))
        }
        logger.info("reminder.run", ("customers", .of(candidates.count)), ("created", .of(outcome.created.count)),
                    ("suppressed", .of(outcome.suppressed)), ("digests", .of(outcome.digests)))
    }

    /// An unresolved reminder is answered when a purchase of that customer was recorded after the
    /// reminder was created: the rhythm has new data, so the reminder expires and this run
    /// re-evaluates the customer from scratch (and reminds again only if still warranted).
    private func expireAnswered() throws {
        let expired = try connection.query("""
            UPDATE reminders r SET status = 'expired', resolved_at = now()
             WHERE r.status IN ('open', 'sent')
               AND EXISTS (SELECT 1 FROM purchases p WHERE p.contact_id = r.contact_id AND p.created_at > r.created_at)
            """).affectedRows
        if expired > 0 { logger.info("reminder.expired", ("reminders", .of(expired)), ("reason", "new purchase recorded")) }
    }
}
