import Foundation
import Postgres

/// Threads for the messages whose headers do not decide one (`IngestedMessage.threadID` nil: a
/// reply whose client dropped References/In-Reply-To, or a message without Message-ID). Such a
/// message joins the thread of the nearest message with the same subject key (`thread_key`:
/// normalised subject + participants) dated within the window on either side, stored or in the
/// same batch; with none, it starts its own. Neighbours chain, so a conversation with a reply every
/// few weeks stays one thread, while the same subject after a longer silence starts a new one.
///
/// Deterministic as far as the data allows: the same stored messages and the same batch always give
/// the same threads, whatever order the batch lists them in (it is walked by date, ties broken by
/// identity), and the nearest neighbour is chosen by distance, then date, then thread id. Where it
/// cannot be: a thread, once stored, is never rewritten, so a message that reaches the store before
/// the neighbour it should have followed (a reply in INBOX synced before the rep's message in Sent,
/// or two mailboxes committing related mail at the same moment, neither seeing the other's
/// uncommitted rows) keeps the thread it was given then; a later message bridging the two joins
/// the nearer one.
///
/// Stored neighbours are found through the interactions of the message's contacts (or, for a
/// message logged only at account level, its accounts), whose indexes exist anyway (the contact-led
/// unique key, which carries occurred_at, and the account-level index): a message with the same key has the same
/// participants, so it was logged for the same people. A dedicated (thread_key, sent_at) index would
/// make this rare lookup cheaper but cost every ingested message an index insert (measured: +18% WAL
/// and +25-30% time for the messages insert of a 1000-message batch). The price: a stored message
/// logged for nobody (only unmatched parties under `unmatched = record`) lends no thread.
public enum ThreadWindow {
    public static let defaultWindow: Duration = .seconds(30 * 86_400)

    /// A message that can lend its thread: when it was sent and the thread it is in.
    struct Neighbour: Equatable {
        var date: Date
        var threadID: String
    }

    /// A message of the batch that can take part in the window: it has a subject key and a date.
    private struct Keyed {
        var index: Int
        var identity: String
        var key: Int64
        var date: Date
        /// The thread its headers decided, if they did.
        var fixedThread: String?
    }

    /// `messages` with every `threadID` set. One statement looks up the stored neighbours of the
    /// whole batch; the chaining inside the batch happens here, in date order. `interactions` are the
    /// batch's: they say whom each message concerns.
    static func resolve(_ messages: [IngestedMessage], interactions: [InteractionRow], window: Duration,
                        _ tx: PostgresConnection) throws -> [IngestedMessage] {
        guard messages.contains(where: { $0.threadID == nil }) else { return messages }
        var resolved = messages
        if window > .zero {
            let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
            let keyed = messages.indices.compactMap { index -> Keyed? in
                let message = messages[index]
                guard let key = message.threadKey, let date = message.date else { return nil }
                return Keyed(index: index, identity: message.identity, key: key, date: date, fixedThread: message.threadID)
            }
            let open = keyed.filter { $0.fixedThread == nil }
            var stored: [Int: [Neighbour]] = [:]
            if !open.isEmpty {
                let people = Anchors(interactions)
                let wanted = open.flatMap { entry in people.of(entry.identity).map { (entry, $0) } }
                for (position, neighbours) in try storedNeighbours(of: wanted.map { ($0.0.key, $0.0.date, $0.1) }, seconds: seconds, tx) {
                    stored[wanted[position].0.index, default: []] += neighbours
                }
            }
            // Only keys with an open message need the walk; the rest of the batch keeps its headers' threads.
            let openKeys = Set(open.map(\.key))
            for members in Dictionary(grouping: keyed.filter { openKeys.contains($0.key) }, by: \.key).values {
                let ordered = members.sorted { ($0.date, $0.identity, $0.index) < ($1.date, $1.identity, $1.index) }
                chain(ordered, stored: stored, seconds: seconds, into: &resolved)
            }
        }
        for index in resolved.indices where resolved[index].threadID == nil {
            resolved[index].threadID = ownThread(of: resolved[index])
        }
        return resolved
    }

    /// One key's messages in date order: each open one takes the nearest of the previous message
    /// (already resolved), the next message whose headers fixed its thread, and the stored neighbours.
    /// A later open message of the batch is not a candidate: it is not resolved yet, and it will
    /// chain to this one, as if the mail had arrived in date order.
    private static func chain(_ ordered: [Keyed], stored: [Int: [Neighbour]], seconds: Double,
                              into resolved: inout [IngestedMessage]) {
        var nextFixed = [Neighbour?](repeating: nil, count: ordered.count)
        var upcoming: Neighbour?
        for position in ordered.indices.reversed() {
            nextFixed[position] = upcoming
            if let thread = ordered[position].fixedThread { upcoming = Neighbour(date: ordered[position].date, threadID: thread) }
        }
        var previous: Neighbour?
        for (position, entry) in ordered.enumerated() {
            let candidates = [previous, nextFixed[position]].compactMap { $0 } + (stored[entry.index] ?? [])
            let thread = entry.fixedThread
                ?? nearest(to: entry.date, among: candidates, seconds: seconds)?.threadID
                ?? ownThread(of: resolved[entry.index])
            resolved[entry.index].threadID = thread
            previous = Neighbour(date: entry.date, threadID: thread)
        }
    }

    /// The closest candidate within the window; equal distances go to the earlier message, then to
    /// the smaller thread id, so the choice never depends on the order candidates were found in.
    static func nearest(to date: Date, among candidates: [Neighbour], seconds: Double) -> Neighbour? {
        candidates
            .filter { abs($0.date.timeIntervalSince(date)) <= seconds }
            .min { a, b in
                let (da, db) = (abs(a.date.timeIntervalSince(date)), abs(b.date.timeIntervalSince(date)))
                return (da, a.date, a.threadID) < (db, b.date, b.threadID)
            }
    }

    /// The thread a message starts: named after its Message-ID, as replies would name it, or after
    /// its identity when it has none (nothing can refer to it then, so no reply can disagree).
    static func ownThread(of message: IngestedMessage) -> String {
        "msg:" + (message.messageID.flatMap { $0.isEmpty ? nil : $0 } ?? message.identity)
    }

    /// Whose interactions lead to a message's stored neighbours: its contacts, else its accounts.
    struct Anchors {
        enum Anchor: Hashable {
            case contact(Int64)
            case account(Int64)
        }
        private var byIdentity: [String: Set<Anchor>] = [:]

        init(_ interactions: [InteractionRow]) {
            for row in interactions {
                if let contact = row.contactID {
                    byIdentity[row.messageIdentity, default: []].insert(.contact(contact))
                } else if let account = row.accountID {
                    byIdentity[row.messageIdentity, default: []].insert(.account(account))
                }
            }
        }

        /// Sorted, so the statement's parameters do not depend on hashing.
        func of(_ identity: String) -> [Anchor] {
            let all = byIdentity[identity] ?? []
            let contacts = all.compactMap { if case .contact(let id) = $0 { id } else { nil } }.sorted()
            if !contacts.isEmpty { return contacts.map(Anchor.contact) }
            return all.compactMap { if case .account(let id) = $0 { id } else { nil } }.sorted().map(Anchor.account)
        }
    }

    /// For each (key, date, anchor): the stored messages with that key dated within the window on
    /// either side that were logged for the anchor. Few rows: one contact's mail over two windows,
    /// narrowed to one subject.
    private static func storedNeighbours(of wanted: [(key: Int64, date: Date, anchor: Anchors.Anchor)], seconds: Double,
                                         _ tx: PostgresConnection) throws -> [Int: [Neighbour]] {
        guard !wanted.isEmpty else { return [:] }
        let contacts: [Int64?] = wanted.map { if case .contact(let id) = $0.anchor { id } else { nil } }
        let accounts: [Int64?] = wanted.map { if case .account(let id) = $0.anchor { id } else { nil } }
        let rows = try tx.queryPrepared("""
            SELECT u.ord, n.thread_id, n.sent_at
              FROM unnest(\(wanted.map(\.key))::bigint[], \(wanted.map(\.date))::timestamptz[],
                          \(contacts)::bigint[], \(accounts)::bigint[]) WITH ORDINALITY AS u(key, at, contact_id, account_id, ord)
             CROSS JOIN LATERAL (
                    SELECT DISTINCT m.thread_id, m.sent_at
                      FROM interactions i JOIN messages m ON m.id = i.message_id
                     -- Account anchors stand for mail logged at account level only, whose rows
                     -- have no contact: that keeps both arms on an index (SCHEMA.md).
                     WHERE (i.contact_id = u.contact_id OR (i.contact_id IS NULL AND i.account_id = u.account_id))
                       AND i.occurred_at BETWEEN u.at - \(seconds)::float8 * interval '1 second'
                                             AND u.at + \(seconds)::float8 * interval '1 second'
                       AND m.thread_key = u.key AND m.thread_id IS NOT NULL AND m.sent_at IS NOT NULL) n
            """)
        var found: [Int: [Neighbour]] = [:]
        for row in rows {
            let position = try row.decode(Int.self, at: 0) - 1
            found[position, default: []].append(Neighbour(date: try row.decode(Date.self, at: 2), threadID: try row.decode(String.self, at: 1)))
        }
        return found
    }
}
