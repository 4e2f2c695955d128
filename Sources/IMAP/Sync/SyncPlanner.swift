/// Where the pipeline stands in one folder: the UID generation and the highest UID whose batch
/// has been committed. Stored with the batch's data in one transaction (DESIGN §4).
public struct FolderCursor: Sendable, Equatable {
    public var uidValidity: UIDValidity
    /// Highest UID already processed; nil when nothing has been processed in this generation.
    public var lastUID: UID?

    public init(uidValidity: UIDValidity, lastUID: UID?) {
        self.uidValidity = uidValidity
        self.lastUID = lastUID
    }
}

/// What EXAMINE reported about a mailbox.
public struct ExamineResult: Sendable, Equatable {
    public var mailbox: MailboxName
    public var uidValidity: UIDValidity
    /// The predicted next UID; some servers omit it.
    public var uidNext: UID?
    public var exists: UInt32
    /// Present when the server supports CONDSTORE and the mailbox has mod-sequences.
    public var highestModSeq: ModSequence?
    public var readOnly: Bool

    public init(mailbox: MailboxName, uidValidity: UIDValidity, uidNext: UID?, exists: UInt32,
                highestModSeq: ModSequence? = nil, readOnly: Bool = true) {
        self.mailbox = mailbox
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.exists = exists
        self.highestModSeq = highestModSeq
        self.readOnly = readOnly
    }
}

public enum SyncPlan: Sendable, Equatable {
    public enum ResyncReason: Sendable, Equatable {
        /// No cursor yet: first sync of this folder.
        case firstSync
        /// The server renumbered the mailbox; every stored UID is void (RFC 3501 §2.3.1.1).
        case uidValidityChanged(old: UIDValidity, new: UIDValidity)
        /// UIDNEXT fell to or below our last UID with the same UIDVALIDITY: the server broke the
        /// UID contract (a restore from backup, say). New mail may reuse UIDs we already passed,
        /// so only a full pass is safe; Message-ID dedupe keeps the log free of duplicates.
        case uidNextWentBackwards(lastUID: UID, uidNext: UID)
    }

    /// Nothing to fetch; the cursor stays as it is.
    case nothingNew
    /// Fetch these UID ranges in order, committing the cursor after each.
    case fetch(batches: [ClosedRange<UID>])
    /// Start over from UID 1 with a new cursor generation; CRM data is never deleted (DESIGN §9).
    case resync(reason: ResyncReason, newCursor: FolderCursor, batches: [ClosedRange<UID>])
    /// The server gave no UIDNEXT: search `from:*` to learn which UIDs exist, then batch them
    /// with `SyncPlanner.batches(of:batchSize:)`.
    case search(from: UID, resync: ResyncReason?)
}

/// Decides what to fetch from the stored cursor and what EXAMINE reported. Pure: no I/O, so
/// every case is tested directly (the postgres-nio habit of protocol logic as a state machine).
public enum SyncPlanner {
    /// At most this many batches are planned at once; the pipeline re-plans after running them,
    /// so a 4-billion-wide UID gap cannot make an enormous plan.
    public static let maxPlannedBatches = 10_000

    public static func plan(cursor: FolderCursor?, examined: ExamineResult, batchSize: Int) -> SyncPlan {
        let batchSize = max(1, batchSize)
        var resync: SyncPlan.ResyncReason?
        var from = UID.first

        if let cursor {
            if cursor.uidValidity != examined.uidValidity {
                resync = .uidValidityChanged(old: cursor.uidValidity, new: examined.uidValidity)
            } else if let last = cursor.lastUID, let next = examined.uidNext, next <= last {
                resync = .uidNextWentBackwards(lastUID: last, uidNext: next)
            } else if let last = cursor.lastUID {
                guard last < UID.highest else { return .nothingNew }
                from = UID(last.rawValue + 1)
            }
        } else {
            resync = .firstSync
        }

        let newCursor = FolderCursor(uidValidity: examined.uidValidity, lastUID: nil)
        if examined.exists == 0 {
            if let resync { return .resync(reason: resync, newCursor: newCursor, batches: []) }
            return .nothingNew
        }
        guard let uidNext = examined.uidNext else { return .search(from: from, resync: resync) }
        guard uidNext > from else {
            if let resync { return .resync(reason: resync, newCursor: newCursor, batches: []) }
            return .nothingNew
        }
        let batches = ranges(from: from, through: UID(uidNext.rawValue - 1), width: batchSize)
        if let resync { return .resync(reason: resync, newCursor: newCursor, batches: batches) }
        return .fetch(batches: batches)
    }

    /// Consecutive ranges of `width` UIDs covering `from...through`, at most `maxPlannedBatches`.
    static func ranges(from: UID, through: UID, width: Int) -> [ClosedRange<UID>] {
        var result: [ClosedRange<UID>] = []
        var start = UInt64(from.rawValue)
        let end = UInt64(through.rawValue)
        while start <= end && result.count < maxPlannedBatches {
            let stop = min(end, start + UInt64(width) - 1)
            result.append(UID(UInt32(start))...UID(UInt32(stop)))
            start = stop + 1
        }
        return result
    }

    /// Ranges holding at most `batchSize` of the given existing UIDs each (after a UID SEARCH),
    /// so sparse UIDs do not cost empty round trips.
    public static func batches(of uids: [UID], batchSize: Int) -> [ClosedRange<UID>] {
        let sorted = Set(uids).sorted()
        let size = max(1, batchSize)
        return stride(from: 0, to: sorted.count, by: size).map { start in
            sorted[start]...sorted[min(sorted.count, start + size) - 1]
        }
    }
}
