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
public enum ThreadWindow {
    public static let defaultWindow: Duration = .seconds(30 * 86_400)

    /// A message that can lend its thread: when it was sent and the thread it is in.
    struct Neighbour: Equatable {
        var date: Date
        var threadID: String
    }

    /// `messages` with every `threadID` set. One statement looks up the stored neighbours of the
    /// whole batch; the chaining inside the batch happens here, in date order.
    static func resolve(_ messages: [IngestedMessage], window: Duration, _ tx: PostgresConnection) throws -> [IngestedMessage] {
        guard messages.contains(where: { $0.threadID == nil }) else { return messages }
        guard window > .zero else {
            return messages.map { message in
                var own = message
                own.threadID = message.threadID ?? ownThread(of: message)
                return own
            }
        }
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        let searchable = messages.indices.filter { messages[$0].threadID == nil && messages[$0].threadKey != nil && messages[$0].date != nil }
        let found = try storedNeighbours(of: searchable.map { (messages[$0].threadKey!, messages[$0].date!) }, seconds: seconds, tx)
        let stored = Dictionary(uniqueKeysWithValues: found.map { (searchable[$0.key], $0.value) })

        var resolved = messages
        let keyed = messages.indices.filter { messages[$0].threadKey != nil && messages[$0].date != nil }
        for members in Dictionary(grouping: keyed, by: { messages[$0].threadKey! }).values {
            let ordered = members.sorted { (messages[$0].date!, messages[$0].identity, $0) < (messages[$1].date!, messages[$1].identity, $1) }
            // The nearest later message of the batch whose thread its headers fixed: the only kind of
            // later batch neighbour already known when the walk reaches a message.
            var nextFixed = [Neighbour?](repeating: nil, count: ordered.count)
            var upcoming: Neighbour?
            for position in ordered.indices.reversed() {
                nextFixed[position] = upcoming
                let message = messages[ordered[position]]
                if let thread = message.threadID { upcoming = Neighbour(date: message.date!, threadID: thread) }
            }
            var previous: Neighbour?
            for (position, index) in ordered.enumerated() {
                let date = messages[index].date!
                if resolved[index].threadID == nil {
                    let candidates = [previous, nextFixed[position]].compactMap { $0 } + (stored[index] ?? [])
                    let neighbour = nearest(to: date, among: candidates, seconds: seconds)
                    resolved[index].threadID = neighbour?.threadID ?? ownThread(of: messages[index])
                }
                previous = Neighbour(date: date, threadID: resolved[index].threadID!)
            }
        }
        for index in resolved.indices where resolved[index].threadID == nil {
            resolved[index].threadID = ownThread(of: messages[index])
        }
        return resolved
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

    /// For each (key, date), the nearest stored message with that key at or before the date and the
    /// nearest after it, each within the window: two probes of `messages_thread_key_idx` per message.
    private static func storedNeighbours(of wanted: [(key: Int64, date: Date)], seconds: Double,
                                         _ tx: PostgresConnection) throws -> [Int: [Neighbour]] {
        guard !wanted.isEmpty else { return [:] }
        let rows = try tx.queryPrepared("""
            SELECT u.ord, b.thread_id, b.sent_at, a.thread_id, a.sent_at
              FROM unnest(\(wanted.map(\.key))::bigint[], \(wanted.map(\.date))::timestamptz[]) WITH ORDINALITY AS u(key, at, ord)
              LEFT JOIN LATERAL (
                    SELECT m.thread_id, m.sent_at FROM messages m
                     WHERE m.thread_key = u.key AND m.thread_id IS NOT NULL
                       AND m.sent_at <= u.at AND m.sent_at >= u.at - \(seconds)::float8 * interval '1 second'
                     ORDER BY m.sent_at DESC, m.thread_id LIMIT 1) b ON true
              LEFT JOIN LATERAL (
                    SELECT m.thread_id, m.sent_at FROM messages m
                     WHERE m.thread_key = u.key AND m.thread_id IS NOT NULL
                       AND m.sent_at > u.at AND m.sent_at <= u.at + \(seconds)::float8 * interval '1 second'
                     ORDER BY m.sent_at, m.thread_id LIMIT 1) a ON true
             WHERE b.thread_id IS NOT NULL OR a.thread_id IS NOT NULL
            """)
        var found: [Int: [Neighbour]] = [:]
        for row in rows {
            let position = try row.decode(Int.self, at: 0) - 1
            var neighbours: [Neighbour] = []
            if let thread = try row.decode(String?.self, at: 1) {
                neighbours.append(Neighbour(date: try row.decode(Date.self, at: 2), threadID: thread))
            }
            if let thread = try row.decode(String?.self, at: 3) {
                neighbours.append(Neighbour(date: try row.decode(Date.self, at: 4), threadID: thread))
            }
            found[position] = neighbours
        }
        return found
    }
}
