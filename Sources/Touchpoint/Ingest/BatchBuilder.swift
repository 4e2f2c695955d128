import CRM
import Foundation
import MIME

/// Turns captured messages into one `IngestBatch`: matches each message, drops what is not
/// worth logging (automated, internal-only, no known party under `unmatched = ignore`), and
/// counts the skips by reason. Pure.
public struct BatchBuilder: Sendable {
    public let mailbox: String
    public let folder: String
    public let context: MatchingContext
    public let since: Date?

    public init(mailbox: String, folder: String, context: MatchingContext, since: Date? = nil) {
        self.mailbox = mailbox
        self.folder = folder
        self.context = context
        self.since = since
    }

    public struct Outcome: Sendable {
        public var batch: IngestBatch
        public var skippedByReason: [String: Int]
        /// Per logged message: its UID and the interactions made of it, for the log.
        public var logged: [(uid: UInt32, interactions: [InteractionRow])]
        /// Under `unmatched = create`: contacts to create before the batch is built again.
        public var proposals: [ProposedContact]
    }

    public func build(_ messages: [CapturedMessage], cursor: FolderCursor, now: Date = Date()) -> Outcome {
        var batch = IngestBatch(cursor: cursor, threadWindow: context.threadWindow)
        var skipped: [String: Int] = [:]
        var logged: [(uid: UInt32, interactions: [InteractionRow])] = []
        var proposals: [ProposedContact] = []
        var proposed = Set<String>()
        for message in messages {
            if let since, let date = message.date, date < since {
                skipped["before-since", default: 0] += 1
                continue
            }
            let parties = MessageParties(
                from: message.from.map(party), sender: message.sender.first.map(party), to: message.to.map(party),
                cc: message.cc.map(party), bcc: message.bcc.map(party), replyTo: message.replyTo.map(party),
                automatedReason: message.automated.map { $0.kind.rawValue })
            let result = Matcher.match(message: filtered(parties), snapshot: context.snapshot, config: context.rules)
            for party in result.proposedContacts {
                if let address = context.normalizer.normalize(party.address), proposed.insert(address).inserted {
                    proposals.append(ProposedContact(address: address, displayName: party.displayName))
                }
            }
            if let reason = result.skipped {
                skipped[reason.description, default: 0] += 1
                continue
            }
            let occurredAt = message.date ?? now
            let rows = result.interactions.map {
                InteractionRow(messageIdentity: message.identity, contactID: $0.contactID?.rawValue, accountID: $0.accountID?.rawValue,
                               direction: $0.direction == .inbound ? .inbound : .outbound, occurredAt: occurredAt)
            }
            let direction: InteractionDirection? = result.direction.map { $0 == .inbound ? .inbound : .outbound }
            let unmatched = result.recorded.map {
                UnmatchedParty(address: $0.address, displayName: $0.displayName, messageIdentity: message.identity, direction: direction)
            }
            guard !rows.isEmpty || !unmatched.isEmpty else {
                skipped["no-known-party", default: 0] += 1
                continue
            }
            let participants = (message.from + message.to + message.cc).map(\.address)
            let (thread, key) = ThreadKey.identify(messageID: message.messageID, inReplyTo: message.inReplyTo, references: message.references,
                                                   subject: message.subject, participants: participants, normalizer: context.normalizer)
            batch.messages.append(IngestedMessage(
                uid: message.uid, identity: message.identity, messageID: message.messageID, date: message.date,
                subject: message.subject ?? "", snippet: message.snippet, size: Int64(message.size),
                attachments: message.attachments.map { AttachmentSummary(filename: $0.filename, contentType: $0.contentType, size: Int64($0.size)) },
                threadID: thread, threadKey: key, automatedReason: message.automated?.description, defects: message.defects))
            batch.interactions += rows
            batch.unmatched += unmatched
            logged.append((message.uid, rows))
        }
        batch.skippedCount = skipped.values.reduce(0, +)
        return Outcome(batch: batch, skippedByReason: skipped, logged: logged, proposals: proposals)
    }

    private func party(_ mailbox: Mailbox) -> MailParty { MailParty(address: mailbox.address, displayName: mailbox.name) }

    /// Addresses the admin listed in `ignore-addresses` take no part in matching.
    private func filtered(_ parties: MessageParties) -> MessageParties {
        guard !context.ignoredAddresses.isEmpty else { return parties }
        func keep(_ party: MailParty) -> Bool {
            context.normalizer.normalize(party.address).map { !context.ignoredAddresses.contains($0) } ?? true
        }
        var copy = parties
        copy.from = copy.from.filter(keep)
        copy.to = copy.to.filter(keep)
        copy.cc = copy.cc.filter(keep)
        copy.bcc = copy.bcc.filter(keep)
        return copy
    }
}
