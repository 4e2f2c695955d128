import Foundation

// Plain values the pipeline hands to the Store: no MIME or IMAP types cross this line.

public enum InteractionDirection: String, Sendable, Hashable {
    case inbound
    case outbound
}

public struct AttachmentSummary: Sendable, Hashable {
    public var filename: String?
    public var contentType: String
    public var size: Int64?

    public init(filename: String?, contentType: String, size: Int64?) {
        self.filename = filename; self.contentType = contentType; self.size = size
    }
}

/// One fetched message, located at `uid` in the batch's folder.
public struct IngestedMessage: Sendable, Hashable {
    public var uid: UInt32
    /// Global identity: `mid:<Message-ID>` or `hash:<hex>` (DESIGN §4); unique in `messages`.
    public var identity: String
    /// The Message-ID header without angle brackets, when present.
    public var messageID: String?
    public var date: Date?
    public var subject: String
    public var snippet: String
    public var size: Int64?
    public var attachments: [AttachmentSummary]
    /// `msg:<root>` when the headers decide the thread; nil lets the store resolve it from
    /// `threadKey` inside the thread window (`ThreadWindow`), else the message starts its own.
    public var threadID: String?
    /// `ThreadKey.subjectKey`: normalised subject + participants, stored so later mail can find it.
    public var threadKey: Int64?
    /// Why the message counts as automated (e.g. `Auto-Submitted: auto-replied`); nil for human mail.
    public var automatedReason: String?
    public var defects: [String]

    public init(uid: UInt32, identity: String, messageID: String? = nil, date: Date? = nil, subject: String = "",
                snippet: String = "", size: Int64? = nil, attachments: [AttachmentSummary] = [],
                threadID: String? = nil, threadKey: Int64? = nil, automatedReason: String? = nil, defects: [String] = []) {
        self.uid = uid; self.identity = identity; self.messageID = messageID; self.date = date
        self.subject = subject; self.snippet = snippet; self.size = size; self.attachments = attachments
        self.threadID = threadID; self.threadKey = threadKey; self.automatedReason = automatedReason; self.defects = defects
    }
}

/// One interaction: a message of the batch × a contact (or, with `contactID` nil, an account).
public struct InteractionRow: Sendable, Hashable {
    public var messageIdentity: String
    public var contactID: Int64?
    public var accountID: Int64?
    public var direction: InteractionDirection
    public var occurredAt: Date

    public init(messageIdentity: String, contactID: Int64?, accountID: Int64?,
                direction: InteractionDirection, occurredAt: Date) {
        self.messageIdentity = messageIdentity; self.contactID = contactID; self.accountID = accountID
        self.direction = direction; self.occurredAt = occurredAt
    }
}

/// An external address no contact or account matched (matching policy `record`).
public struct UnmatchedParty: Sendable, Hashable {
    public var address: String
    public var displayName: String?
    public var messageIdentity: String
    /// The message's direction, so a later relink makes the right interaction.
    public var direction: InteractionDirection?

    public init(address: String, displayName: String?, messageIdentity: String, direction: InteractionDirection? = nil) {
        self.address = address; self.displayName = displayName; self.messageIdentity = messageIdentity
        self.direction = direction
    }
}

/// Where a folder's sync stands: everything up to `lastUID` under `uidValidity` is committed.
public struct FolderCursor: Sendable, Hashable {
    public var mailbox: String
    public var folder: String
    public var uidValidity: UInt32
    public var lastUID: UInt32
    public var highestModSeq: UInt64?

    public init(mailbox: String, folder: String, uidValidity: UInt32, lastUID: UInt32, highestModSeq: UInt64? = nil) {
        self.mailbox = mailbox; self.folder = folder; self.uidValidity = uidValidity
        self.lastUID = lastUID; self.highestModSeq = highestModSeq
    }
}

/// Everything one fetch round produced for one folder; committed atomically with its cursor.
public struct IngestBatch: Sendable, Hashable {
    /// The cursor after this batch (last UID examined, including skipped messages).
    public var cursor: FolderCursor
    public var messages: [IngestedMessage]
    public var interactions: [InteractionRow]
    public var unmatched: [UnmatchedParty]
    /// Messages examined but not stored (automated, internal-only), for the folder counters.
    public var skippedCount: Int
    /// How far apart two messages with the same subject key may be and still share a thread.
    public var threadWindow: Duration

    public init(cursor: FolderCursor, messages: [IngestedMessage] = [], interactions: [InteractionRow] = [],
                unmatched: [UnmatchedParty] = [], skippedCount: Int = 0, threadWindow: Duration = ThreadWindow.defaultWindow) {
        self.cursor = cursor; self.messages = messages; self.interactions = interactions
        self.unmatched = unmatched; self.skippedCount = skippedCount; self.threadWindow = threadWindow
    }
}

public struct CommitResult: Sendable, Equatable {
    /// Messages stored for the first time by this batch.
    public var newMessages: Int
    /// Messages of the batch that were already known (seen in another mailbox, or a re-run).
    public var existingMessages: Int
    public var interactionsInserted: Int
    /// Database id of every message of the batch, by identity.
    public var messageIDs: [String: Int64]
}

/// A message that failed repeatedly: recorded so the cursor can move past it (DESIGN §9).
public struct QuarantineEntry: Sendable, Hashable {
    public var mailbox: String
    public var folder: String
    public var uidValidity: UInt32
    public var uid: UInt32
    public var reason: String

    public init(mailbox: String, folder: String, uidValidity: UInt32, uid: UInt32, reason: String) {
        self.mailbox = mailbox; self.folder = folder; self.uidValidity = uidValidity; self.uid = uid; self.reason = reason
    }
}

public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// An interaction or unmatched party names a message identity that is not in the batch.
    case unknownMessageIdentity(batchMailbox: String, folder: String)
    case emptyIdentity(uid: UInt32)

    public var description: String {
        switch self {
        case .unknownMessageIdentity(let mailbox, let folder):
            return "batch for \(mailbox)/\(folder) has an interaction whose message is not in the batch"
        case .emptyIdentity(let uid):
            return "message uid \(uid) has an empty identity"
        }
    }
}
