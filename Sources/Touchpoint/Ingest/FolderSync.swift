import Foundation
import IMAP
import Postgres

/// What one pass over a folder did, for logs, status and `serve --once`'s summary.
public struct FolderSyncReport: Sendable {
    public var folder: String
    public var fetched = 0
    public var newMessages = 0
    public var interactions = 0
    public var skippedByReason: [String: Int] = [:]
    public var quarantined = 0
    public var resynced = false
    public var stoppedEarly = false
}

/// One pass over one folder (DESIGN §1, §4): EXAMINE, compare with the stored cursor, fetch the
/// new UIDs in bounded batches, assemble, match, and commit each batch with its cursor in one
/// transaction. A crash anywhere re-fetches at most the uncommitted batch; identities and unique
/// keys make the re-run insert nothing twice.
struct FolderSync {
    let mailbox: MailboxConfig
    let folder: MailboxName
    let session: IMAPSession
    let database: PostgresConnection
    let context: MatchingContext
    /// Re-reads the contact snapshot (after `unmatched = create` added contacts).
    let reloadContext: () throws -> MatchingContext
    let ingest: IngestConfig
    let logger: Logger
    let stop: StopSignal
    /// The mailbox's advisory-lock key: every commit verifies, inside its transaction, that this
    /// session still holds it, so an instance that silently lost its database session (and with
    /// it the lock) can never write alongside the instance that took the mailbox over.
    let lockKey: Int64

    var folderName: String { folder.displayName }

    func run() throws -> FolderSyncReport {
        var report = FolderSyncReport(folder: folderName)
        let examined = try session.examine(folder)
        let stored = try Store.loadFolderCursor(mailbox: mailbox.name, folder: folderName, database)
        let cursor = stored.map {
            IMAP.FolderCursor(uidValidity: UIDValidity($0.uidValidity), lastUID: $0.lastUID == 0 ? nil : UID($0.lastUID))
        }
        var uidValidity = examined.uidValidity
        var ranges: [ClosedRange<UID>]
        switch SyncPlanner.plan(cursor: cursor, examined: examined, batchSize: mailbox.batchSize) {
        case .nothingNew:
            logger.debug("folder.unchanged", ("folder", .string(folderName)), ("uidvalidity", .of(examined.uidValidity.rawValue)))
            try touchCursor(stored: stored, examined: examined)
            return report
        case .fetch(let batches):
            ranges = batches
        case .resync(let reason, let newCursor, let batches):
            logResync(reason)
            report.resynced = reason != .firstSync
            uidValidity = newCursor.uidValidity
            ranges = batches
        case .search(let from, let reason):
            if let reason { logResync(reason); report.resynced = reason != .firstSync }
            ranges = SyncPlanner.batches(of: try session.uidSearch(from: from), batchSize: mailbox.batchSize)
        }
        let total = ranges.reduce(0) { $0 + Int($1.width) }
        let assembler = MessageAssembler()
        var builder = BatchBuilder(mailbox: mailbox.name, folder: folderName, context: context, since: mailbox.since)
        // The commit side keeps its own counters: it runs on the committer's thread, and they
        // are merged into `report` once that thread has ended.
        var committed = FolderSyncReport(folder: folderName)
        var progress = Progress(total: total)
        let committer = OrderedCommitter<PreparedBatch>(capacity: Self.batchesWaitingForCommit,
                                                        threadName: "commit-\(mailbox.name)") { prepared in
            try commitPrepared(prepared, uidValidity: uidValidity, report: &committed, progress: &progress)
        }
        // Batches are pipelined three ways: the server already sends the next batch's headers
        // while this thread parses and matches one batch and the committer stores the one
        // before. A stop request or a failed commit ends the run after the command in flight
        // is drained, so the session stays usable.
        func prepare(_ range: ClosedRange<UID>, _ fetched: [FetchedMessage]) throws {
            report.fetched += fetched.count
            try committer.throwIfFailed()
            var captured: [CapturedMessage] = []
            var oversized: [QuarantineEntry] = []
            for message in fetched {
                if message.size > UInt64(ingest.maxMessageBytes) {
                    oversized.append(QuarantineEntry(
                        mailbox: mailbox.name, folder: folderName, uidValidity: uidValidity.rawValue, uid: message.uid.rawValue,
                        reason: "message of \(message.size) bytes exceeds max-message-size (\(ingest.maxMessageBytes))"))
                    continue
                }
                captured.append(assembler.assemble(message))
            }
            let cursorAfter = FolderCursor(mailbox: mailbox.name, folder: folderName, uidValidity: uidValidity.rawValue,
                                           lastUID: range.upperBound.rawValue,
                                           highestModSeq: examined.highestModSeq.map { $0.rawValue })
            var outcome = builder.build(captured, cursor: cursorAfter)
            if !outcome.proposals.isEmpty {
                // `unmatched = create`: the new contacts exist before the batch that names them
                // is committed; a crash in between leaves contacts, which the re-run reuses.
                // This needs the database, so it waits for the committer to be idle first.
                try committer.drain()
                let created = try Store.createProposedContacts(outcome.proposals, database)
                for address in created {
                    logger.info("contact.created", ("folder", .string(folderName)), ("address", .string(address)))
                }
                builder = BatchBuilder(mailbox: mailbox.name, folder: folderName, context: try reloadContext(), since: mailbox.since)
                outcome = builder.build(captured, cursor: cursorAfter)
            }
            for (reason, count) in outcome.skippedByReason { report.skippedByReason[reason, default: 0] += count }
            try committer.submit(PreparedBatch(range: range, fetchedCount: fetched.count, oversized: oversized, outcome: outcome))
        }
        var index = 0
        var failure: (any Error)?
        var fetchFailure: (any Error)?
        do {
            try session.fetchBatches(ranges) { (fetched: [FetchedMessage]) throws(IMAPError) in
                let range = ranges[index]
                index += 1
                if stop.isStopped {
                    report.stoppedEarly = true
                    throw IMAPError(.invalidArgument("stop requested"))
                }
                do { try prepare(range, fetched) } catch {
                    failure = error
                    throw IMAPError(.invalidArgument("batch \(range.lowerBound):\(range.upperBound) not committed"))
                }
            }
        } catch {
            fetchFailure = error
        }
        // Batches already handed over are committed even after a stop request or a fetch
        // error, as they were when commits ran inline; the first failed commit wins over a
        // later fetch error, since it happened to an earlier batch.
        do { try committer.finish() } catch { failure = failure ?? error }
        if let failure { throw failure }
        if let fetchFailure, !report.stoppedEarly { throw fetchFailure }
        report.newMessages = committed.newMessages
        report.interactions = committed.interactions
        report.quarantined = committed.quarantined
        return report
    }

    /// Batches parsed and matched ahead of the one being committed: one keeps both threads
    /// busy; more would only hold more memory.
    static let batchesWaitingForCommit = 1

    /// A batch ready for the database: what the mailbox thread hands the committer.
    struct PreparedBatch {
        var range: ClosedRange<UID>
        var fetchedCount: Int
        var oversized: [QuarantineEntry]
        var outcome: BatchBuilder.Outcome
    }

    /// `synced N/M` at most every 10 s, counted as batches are committed.
    struct Progress {
        let total: Int
        var done = 0
        var lastLog = Date()
    }

    /// Runs on the committer's thread: the quarantine of oversized messages, the batch with its
    /// cursor, and the logs that say it is stored.
    private func commitPrepared(_ prepared: PreparedBatch, uidValidity: UIDValidity, report: inout FolderSyncReport,
                                progress: inout Progress) throws {
        let range = prepared.range
        let outcome = prepared.outcome
        for entry in prepared.oversized {
            _ = try Store.recordQuarantine(entry, database)
            report.quarantined += 1
            logger.warning("message.quarantined", ("folder", .string(folderName)), ("uid", .of(entry.uid)), ("reason", .string(entry.reason)))
        }
        let result = try commit(outcome.batch, uidValidity: uidValidity, report: &report)
        report.newMessages += result.newMessages
        report.interactions += result.interactionsInserted
        if logger.isEnabled(.debug) {
            let subjects = Dictionary(outcome.batch.messages.map { ($0.uid, $0.subject) }, uniquingKeysWith: { first, _ in first })
            for entry in outcome.logged {
                logger.debug("message.logged", ("folder", .string(folderName)), ("uid", .of(entry.uid)),
                             ("subject", .string(subjects[entry.uid] ?? "")),
                             ("interactions", .of(entry.interactions.count)),
                             ("direction", .string(entry.interactions.first?.direction.rawValue ?? "-")))
            }
        }
        logger.info("batch.committed", ("folder", .string(folderName)), ("uids", .string("\(range.lowerBound):\(range.upperBound)")),
                    ("fetched", .of(prepared.fetchedCount)), ("new", .of(result.newMessages)),
                    ("interactions", .of(result.interactionsInserted)), ("skipped", .of(outcome.batch.skippedCount)))
        progress.done += Int(range.width)
        if Date().timeIntervalSince(progress.lastLog) > 10 {
            logger.info("folder.progress", ("folder", .string(folderName)), ("synced", .string("\(progress.done)/\(progress.total)")))
            progress.lastLog = Date()
        }
    }

    /// Commits a batch; a batch the database refuses for its data (not for a lost connection) is
    /// split so that one bad message cannot block the folder: each message is retried alone and
    /// one that fails `quarantine-after` times is quarantined and passed (DESIGN §9).
    private func commit(_ batch: IngestBatch, uidValidity: UIDValidity, report: inout FolderSyncReport) throws -> CommitResult {
        do {
            return try commitHoldingLock(batch)
        } catch let error as PostgresError where !error.isTransient && batch.messages.count > 0 {
            logger.warning("batch.rejected", ("folder", .string(folderName)), ("error", .string(error.description)),
                           ("action", "retrying message by message"))
        }
        var total = CommitResult(newMessages: 0, existingMessages: 0, interactionsInserted: 0, messageIDs: [:])
        for message in batch.messages {
            var single = IngestBatch(cursor: batch.cursor, threadWindow: batch.threadWindow)
            single.cursor.lastUID = max(message.uid, 1) - 1
            single.messages = [message]
            single.interactions = batch.interactions.filter { $0.messageIdentity == message.identity }
            single.unmatched = batch.unmatched.filter { $0.messageIdentity == message.identity }
            do {
                let result = try commitHoldingLock(single)
                total.newMessages += result.newMessages
                total.interactionsInserted += result.interactionsInserted
            } catch let error as PostgresError where !error.isTransient {
                let attempts = try Store.recordQuarantine(QuarantineEntry(
                    mailbox: mailbox.name, folder: folderName, uidValidity: uidValidity.rawValue, uid: message.uid,
                    reason: error.description), database)
                guard attempts >= ingest.quarantineAfter else { throw error }
                report.quarantined += 1
                logger.warning("message.quarantined", ("folder", .string(folderName)), ("uid", .of(message.uid)),
                               ("attempts", .of(attempts)), ("reason", .string(error.description)))
            }
        }
        // Everything of the batch is now stored or quarantined: move the cursor past it.
        var cursorOnly = IngestBatch(cursor: batch.cursor)
        cursorOnly.skippedCount = batch.skippedCount
        _ = try commitHoldingLock(cursorOnly)
        return total
    }

    struct LockLost: Error, CustomStringConvertible {
        let mailbox: String
        var description: String { "the advisory lock of mailbox \(mailbox) is no longer held by this session; another instance may work it now" }
    }

    private func commitHoldingLock(_ batch: IngestBatch) throws -> CommitResult {
        let high = Int64(UInt32(truncatingIfNeeded: UInt64(bitPattern: lockKey) >> 32))
        let low = Int64(UInt32(truncatingIfNeeded: UInt64(bitPattern: lockKey)))
        return try database.transaction { tx in
            let held = try tx.query("""
                SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
                                  AND classid::bigint = \(high) AND objid::bigint = \(low) AND objsubid = 1)
                """).scalar(Bool.self)
            guard held else { throw LockLost(mailbox: mailbox.name) }
            return try Store.commitBatch(batch, tx)
        }
    }

    /// An unchanged folder still records a successful poll (`status` shows the last success).
    private func touchCursor(stored: FolderCursor?, examined: ExamineResult) throws {
        guard let stored else { return }
        _ = try commitHoldingLock(IngestBatch(cursor: stored))
    }

    private func logResync(_ reason: SyncPlan.ResyncReason) {
        switch reason {
        case .firstSync:
            logger.info("folder.first-sync", ("folder", .string(folderName)))
        case .uidValidityChanged(let old, let new):
            logger.warning("folder.uidvalidity-changed", ("folder", .string(folderName)), ("old", .of(old.rawValue)),
                           ("new", .of(new.rawValue)), ("action", "rescanning; known messages are recognised by identity, nothing is deleted"))
        case .uidNextWentBackwards(let last, let next):
            logger.warning("folder.uidnext-backwards", ("folder", .string(folderName)), ("last_uid", .of(last.rawValue)),
                           ("uidnext", .of(next.rawValue)), ("action", "rescanning"))
        }
    }
}
