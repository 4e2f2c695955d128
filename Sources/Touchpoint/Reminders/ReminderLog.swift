import Foundation
import Postgres

/// Reading and resolving reminders (the `reminders list|ack|dismiss` commands), through the
/// `reminder_log` view where reading.
public struct ReminderLog {
    public struct Row: Sendable, Equatable {
        public var id: Int64
        public var contactEmail: String?
        public var ownerEmail: String?
        public var kind: String
        public var reason: String
        public var dueAt: Date
        public var pAlive: Double?
        public var status: String
        public var createdAt: Date
        public var sentAt: Date?
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notFound(Int64)
        case alreadyResolved(Int64, status: String)
        public var description: String {
            switch self {
            case .notFound(let id): return "no reminder \(id)"
            case .alreadyResolved(let id, let status): return "reminder \(id) is already \(status)"
            }
        }
    }

    public static let statuses = ["open", "sent", "acked", "dismissed", "expired"]
    public static let listLimit = 1000

    private let connection: PostgresConnection

    public init(_ connection: PostgresConnection) { self.connection = connection }

    /// Newest first, at most `listLimit`.
    public func list(owner: String?, status: String?) throws -> [Row] {
        let rows = try connection.query("""
            SELECT reminder_id, contact_email, owner_email, kind, reason, due_at, p_alive, status, created_at, sent_at
              FROM reminder_log
             WHERE (\(owner?.lowercased())::text IS NULL OR owner_email = \(owner?.lowercased()))
               AND (\(status)::text IS NULL OR status = \(status))
             ORDER BY created_at DESC, reminder_id DESC
             LIMIT \(Self.listLimit)
            """)
        return try rows.map { row in
            Row(id: try row.decode(Int64.self, at: 0), contactEmail: try row.decode(String?.self, at: 1),
                ownerEmail: try row.decode(String?.self, at: 2), kind: try row.decode(String.self, at: 3),
                reason: try row.decode(String.self, at: 4), dueAt: try row.decode(Date.self, at: 5),
                pAlive: try row.decode(Double?.self, at: 6), status: try row.decode(String.self, at: 7),
                createdAt: try row.decode(Date.self, at: 8), sentAt: try row.decode(Date?.self, at: 9))
        }
    }

    /// The rep dealt with it. No new reminder of that kind for the contact until the next purchase.
    public func acknowledge(_ id: Int64) throws {
        try resolve(id, status: "acked", snoozedUntil: nil)
    }

    /// Not worth acting on; with `snoozeDays`, no reminder of that kind for the contact before then
    /// (even after a new purchase).
    public func dismiss(_ id: Int64, snoozeDays: Int?, now: Date = Date()) throws {
        try resolve(id, status: "dismissed", snoozedUntil: snoozeDays.map { now.addingTimeInterval(Double($0) * 86_400) })
    }

    private func resolve(_ id: Int64, status: String, snoozedUntil: Date?) throws {
        let updated = try connection.query("""
            UPDATE reminders SET status = \(status), resolved_at = now(), snoozed_until = \(snoozedUntil)
             WHERE id = \(id) AND status IN ('open', 'sent')
            RETURNING id
            """)
        guard updated.isEmpty else { return }
        let current = try connection.query("SELECT status FROM reminders WHERE id = \(id)")
        guard let row = current.first else { throw Failure.notFound(id) }
        throw Failure.alreadyResolved(id, status: try row.decode(String.self, at: 0))
    }
}
