import Foundation
import Postgres

public struct PurchaseImportRejection: Error, Sendable, Hashable {
    public var line: Int
    public var reason: String
}

public struct PurchaseImportSummary: Sendable, Equatable {
    public var inserted = 0
    /// Known references whose amount, currency, time or customer changed.
    public var updated = 0
    public var unchanged = 0
    /// Invalid rows and rows for customers we do not know, by line.
    public var rejected: [PurchaseImportRejection] = []
    public var unknownColumns: [String] = []
}

/// `touchpoint import purchases FILE.csv`: validates every row, then stores the valid ones in one
/// transaction (COPY into a temporary table, then set-based statements). Idempotent on
/// `external_ref`: importing the same file again changes nothing; a corrected row updates its purchase.
/// Rows whose customer (primary or alias address, or `contacts.external_id`) is unknown are
/// reported by line and skipped; they never abort the import.
public struct PurchaseImporter {
    /// Serialises purchase imports (same key family as the contact import). ASCII "tppurchs".
    static let lockKey: Int64 = 0x7470_7075_7263_6873

    private let connection: PostgresConnection
    private let timeZone: TimeZone

    /// - Parameter timeZone: the company's zone; a bare date means local midnight there.
    public init(_ connection: PostgresConnection, timeZone: TimeZone) {
        self.connection = connection
        self.timeZone = timeZone
    }

    public func run(_ csvBytes: [UInt8], progress: (ImportProgress) -> Void = { _ in }) throws -> PurchaseImportSummary {
        var summary = PurchaseImportSummary()
        let rows = try readRows(csvBytes, summary: &summary, progress: progress)
        try CSVImport.store(connection, rowsRead: rows.count + summary.rejected.count, totalBytes: csvBytes.count,
                            hasRows: !rows.isEmpty, progress: progress) { tx in try store(rows, into: &summary, tx) }
        summary.rejected.sort { $0.line < $1.line }
        return summary
    }

    private func readRows(_ bytes: [UInt8], summary: inout PurchaseImportSummary,
                          progress: (ImportProgress) -> Void) throws -> [PurchaseImportRow] {
        var rows: [PurchaseImportRow] = []
        var lineOfReference: [String: Int] = [:]
        var rejected: [PurchaseImportRejection] = []
        let header = try CSVImport.scan(
            bytes, progress: progress, emptyFile: PurchaseImportError.emptyFile,
            malformedHeader: { PurchaseImportError.malformedHeader(line: $0.line, reason: $0.reason) },
            makeHeader: PurchaseImportHeader.init
        ) { header, next in
            switch next {
            case .failure(let failure):
                rejected.append(PurchaseImportRejection(line: failure.line, reason: failure.reason))
            case .success(let record):
                switch PurchaseRowValidator.validate(record.fields, line: record.line, header: header, timeZone: timeZone) {
                case .failure(let rejection):
                    rejected.append(rejection)
                case .success(let row):
                    if let earlier = lineOfReference[row.externalRef] {
                        rejected.append(PurchaseImportRejection(
                            line: row.line, reason: "external_ref \(row.externalRef) already appears on line \(earlier)"))
                        return
                    }
                    lineOfReference[row.externalRef] = row.line
                    rows.append(row)
                }
            }
        }
        summary.unknownColumns = header.unknown
        summary.rejected += rejected
        return rows
    }

    private func store(_ rows: [PurchaseImportRow], into summary: inout PurchaseImportSummary, _ tx: PostgresConnection) throws {
        try tx.advisoryTransactionLock(Self.lockKey)
        try tx.execute(script: """
            CREATE TEMP TABLE purchase_rows (
                line         int PRIMARY KEY,
                email        text,
                customer_id  text,
                purchased_at timestamptz NOT NULL,
                amount       numeric(18, 4),
                currency     text,
                external_ref text NOT NULL,
                contact_id   bigint
            ) ON COMMIT DROP
            """)
        var copy = PostgresCopyRows(reservingCapacity: rows.count * 96)
        for row in rows {
            try copy.append(row.line)
            try copy.append(row.customerEmail)
            try copy.append(row.customerID)
            try copy.append(row.purchasedAt)
            try copy.append(row.amount)
            try copy.append(row.currency)
            try copy.append(row.externalRef)
            copy.endRow()
        }
        try tx.copyIn("COPY purchase_rows (line, email, customer_id, purchased_at, amount, currency, external_ref) FROM STDIN",
                      rows: copy)
        try tx.query("ANALYZE purchase_rows")
        try tx.query("""
            UPDATE purchase_rows r SET contact_id = ca.contact_id
              FROM contact_addresses ca WHERE r.email IS NOT NULL AND ca.address = r.email
            """)
        try tx.query("""
            UPDATE purchase_rows r SET contact_id = c.id
              FROM contacts c WHERE r.email IS NULL AND c.external_id = r.customer_id
            """)
        let unknown = try tx.query("""
            DELETE FROM purchase_rows WHERE contact_id IS NULL
            RETURNING line, COALESCE('unknown customer ' || email, 'unknown customer_id ' || customer_id)
            """)
        for row in unknown {
            summary.rejected.append(PurchaseImportRejection(line: try row.decode(Int.self, at: 0),
                                                            reason: try row.decode(String.self, at: 1)))
        }
        let changed = try tx.query("""
            INSERT INTO purchases (contact_id, purchased_at, amount, currency, external_ref)
            SELECT contact_id, purchased_at, amount, currency, external_ref FROM purchase_rows
            ON CONFLICT (external_ref) DO UPDATE
               SET contact_id = EXCLUDED.contact_id, purchased_at = EXCLUDED.purchased_at,
                   amount = EXCLUDED.amount, currency = EXCLUDED.currency
             WHERE (purchases.contact_id, purchases.purchased_at, purchases.amount, purchases.currency)
                   IS DISTINCT FROM (EXCLUDED.contact_id, EXCLUDED.purchased_at, EXCLUDED.amount, EXCLUDED.currency)
            RETURNING (xmax = 0)
            """)
        for row in changed {
            if try row.decode(Bool.self, at: 0) { summary.inserted += 1 } else { summary.updated += 1 }
        }
        let stored = try tx.query("SELECT count(*) FROM purchase_rows").scalar(Int.self)
        summary.unchanged = stored - summary.inserted - summary.updated
    }
}
