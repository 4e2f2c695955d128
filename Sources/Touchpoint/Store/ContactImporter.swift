import Postgres

public enum ContactImportError: Error, Sendable, CustomStringConvertible, Equatable {
    case emptyFile
    case missingColumn(String)
    case duplicateColumn(String)
    case malformedHeader(line: Int, reason: String)

    public var description: String {
        switch self {
        case .emptyFile: return "the CSV file has no header row"
        case .missingColumn(let name): return "the CSV header has no \(name) column (expected name,email,account,account_domains,owner_email)"
        case .duplicateColumn(let name): return "the CSV header names the \(name) column twice"
        case .malformedHeader(let line, let reason): return "the CSV header (line \(line)) is malformed: \(reason)"
        }
    }
}

public struct ContactImportRejection: Error, Sendable, Hashable {
    public var line: Int
    public var reason: String
}

public struct ImportSummary: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected: [ContactImportRejection] = []
    /// Header columns the importer does not know (ignored).
    public var unknownColumns: [String] = []
    public var accountsCreated = 0
    public var ownersCreated = 0
    public var domainsAdded = 0
}

public struct ImportProgress: Sendable, Equatable {
    public enum Phase: Sendable, Equatable { case reading, storing, done }
    public var phase: Phase
    public var rowsRead: Int
    public var bytesRead: Int
    public var totalBytes: Int
}

/// `touchpoint import contacts FILE.csv`: validates every row, then upserts the valid ones in
/// one transaction (COPY into a temporary table, then set-based statements), so a failure
/// leaves nothing half-imported and a second run of the same file changes nothing.
///
/// Identity: a row is the contact that already owns any of its addresses. Addresses are only
/// ever added (a contact keeps addresses the file does not list); an empty name, account or
/// owner leaves the stored value alone.
public struct ContactImporter {
    /// Serialises imports (two at once could race on the same new address). ASCII "tpimport".
    static let lockKey: Int64 = 0x7470_696D_706F_7274

    private let connection: PostgresConnection

    public init(_ connection: PostgresConnection) {
        self.connection = connection
    }

    public func run(_ csvBytes: [UInt8], progress: (ImportProgress) -> Void = { _ in }) throws -> ImportSummary {
        var summary = ImportSummary()
        let rows = try readRows(csvBytes, summary: &summary, progress: progress)
        try CSVImport.store(connection, rowsRead: rows.count + summary.rejected.count, totalBytes: csvBytes.count,
                            hasRows: !rows.isEmpty, progress: progress) { tx in try store(rows, into: &summary, tx) }
        summary.rejected.sort { $0.line < $1.line }
        return summary
    }

    // MARK: - Reading and validating

    private func readRows(_ bytes: [UInt8], summary: inout ImportSummary,
                          progress: (ImportProgress) -> Void) throws -> [ContactImportRow] {
        var rows: [ContactImportRow] = []
        var lineOfAddress: [String: Int] = [:]
        // Sized once from the line count: growing them rehashed every address several times.
        let lines = bytes.count(where: { $0 == UInt8(ascii: "\n") })
        rows.reserveCapacity(lines)
        lineOfAddress.reserveCapacity(lines)
        var accountOfDomain: [String: String] = [:]
        var rejected: [ContactImportRejection] = []
        let header = try CSVImport.scan(
            bytes, progress: progress, emptyFile: ContactImportError.emptyFile,
            malformedHeader: { ContactImportError.malformedHeader(line: $0.line, reason: $0.reason) },
            makeHeader: ContactImportHeader.init
        ) { header, next in
            let record: CSVReader.Record
            switch next {
            case .failure(let failure):
                rejected.append(ContactImportRejection(line: failure.line, reason: failure.reason))
                return
            case .success(let value): record = value
            }
            switch ContactRowValidator.validate(record.fields, line: record.line, header: header) {
            case .failure(let rejection):
                rejected.append(rejection)
            case .success(let row):
                if let clash = row.emails.first(where: { lineOfAddress[$0] != nil }) {
                    rejected.append(ContactImportRejection(
                        line: row.line, reason: "email \(clash) already appears on line \(lineOfAddress[clash]!)"))
                    return
                }
                if let account = row.account,
                   let clash = row.accountDomains.first(where: { accountOfDomain[$0].map { $0 != account.lowercased() } ?? false }) {
                    rejected.append(ContactImportRejection(
                        line: row.line, reason: "account domain \(clash) belongs to another account earlier in the file"))
                    return
                }
                for email in row.emails { lineOfAddress[email] = row.line }
                if let account = row.account {
                    for domain in row.accountDomains { accountOfDomain[domain] = account.lowercased() }
                }
                rows.append(row)
            }
        }
        summary.unknownColumns = header.unknown
        summary.rejected += rejected
        return rows
    }

    // MARK: - Storing (one transaction)

    private func store(_ rows: [ContactImportRow], into summary: inout ImportSummary, _ tx: PostgresConnection) throws {
        try tx.advisoryTransactionLock(Self.lockKey)
        // The reference triggers (migration 7) read each statement's rows back from a transition
        // table, and the upserts hash the staged rows: at the default 4 MB a 100k-row import
        // spills both to temporary files. Per sort/hash node, for this transaction only.
        try tx.query("SET LOCAL work_mem = '64MB'")
        // Several statements here cost more than jit_above_cost; EXPLAIN ANALYZE showed tens of
        // milliseconds of compilation each for expressions too simple to win that back.
        try tx.query("SET LOCAL jit = off")
        try tx.execute(script: """
            CREATE TEMP TABLE import_rows (
                line        int PRIMARY KEY,
                name        text NOT NULL,
                emails      text[] NOT NULL,
                account     text,
                domains     text[] NOT NULL,
                owner_email text
            ) ON COMMIT DROP
            """)
        var copy = PostgresCopyRows(reservingCapacity: rows.count * 96)
        for row in rows {
            try copy.append(row.line)
            try copy.append(row.name)
            try copy.append(row.emails)
            try copy.append(row.account)
            try copy.append(row.accountDomains)
            try copy.append(row.ownerEmail)
            copy.endRow()
        }
        try tx.copyIn("COPY import_rows (line, name, emails, account, domains, owner_email) FROM STDIN", rows: copy)
        // Fresh statistics keep the planner on hash joins; with none it guesses tiny tables
        // and picks nested loops that turn 100k rows into minutes. The row count and the line
        // column are what it needs: sampling the text and array columns took ~5% of an import.
        try tx.query("ANALYZE import_rows (line)")

        try rejectRows(summary: &summary, tx, """
            SELECT DISTINCT ON (r.line) r.line, 'account domain ' || d.domain || ' belongs to account ' || a.name
              FROM import_rows r
              CROSS JOIN unnest(r.domains) AS d(domain)
              JOIN account_domains ad ON ad.domain = d.domain
              JOIN accounts a ON a.id = ad.account_id
             WHERE lower(a.name) <> lower(r.account)
             ORDER BY r.line
            """)

        // Rows whose addresses are already known, and how many distinct contacts own them.
        try tx.execute(script: """
            CREATE TEMP TABLE import_matches ON COMMIT DROP AS
            SELECT r.line, min(ca.contact_id) AS contact_id, count(DISTINCT ca.contact_id) AS contacts
              FROM import_rows r
              CROSS JOIN unnest(r.emails) AS e(address)
              JOIN contact_addresses ca ON ca.address = e.address
             GROUP BY r.line;
            ANALYZE import_matches
            """)
        try rejectRows(summary: &summary, tx, """
            SELECT line, 'its addresses belong to different existing contacts' FROM import_matches WHERE contacts > 1
            """)
        try rejectRows(summary: &summary, tx, """
            SELECT line, 'same existing contact as line ' || first_line
              FROM (SELECT m.line, min(m.line) OVER (PARTITION BY m.contact_id) AS first_line
                      FROM import_matches m JOIN import_rows r ON r.line = m.line) d
             WHERE line <> first_line
            """)

        summary.ownersCreated = try tx.query("""
            INSERT INTO owners (email)
            SELECT DISTINCT owner_email FROM import_rows WHERE owner_email IS NOT NULL
            ON CONFLICT (email) DO NOTHING
            """).affectedRows
        // The file's accounts by exact spelling (a few thousand rows for 100k contacts): the case
        // folding that identifies an account runs once per spelling, and the row joins below
        // compare plain text instead of calling lower() twice per row and statement.
        try tx.execute(script: """
            CREATE TEMP TABLE import_accounts ON COMMIT DROP AS
            SELECT account, min(line) AS line, NULL::bigint AS id FROM import_rows WHERE account IS NOT NULL GROUP BY account
            """)
        // Each account (and domain below) is spelt as on its first line.
        summary.accountsCreated = try tx.query("""
            INSERT INTO accounts (name)
            SELECT account
              FROM (SELECT DISTINCT ON (lower(account)) account, line FROM import_accounts ORDER BY lower(account), line) f
             ORDER BY line
            ON CONFLICT ((lower(name))) DO NOTHING
            """).affectedRows
        try tx.query("UPDATE import_accounts i SET id = a.id FROM accounts a WHERE lower(a.name) = lower(i.account)")
        try tx.query("ANALYZE accounts, owners, import_accounts")
        summary.domainsAdded = try tx.query("""
            INSERT INTO account_domains (domain, account_id)
            SELECT f.domain, a.id
              FROM (SELECT d.domain, min(r.line) AS line
                      FROM import_rows r CROSS JOIN unnest(r.domains) AS d(domain)
                     GROUP BY d.domain) f
              JOIN import_rows r ON r.line = f.line
              JOIN import_accounts a ON a.account = r.account
             ORDER BY f.line, f.domain
            ON CONFLICT (domain) DO NOTHING
            """).affectedRows

        summary.created = try tx.query("""
            SELECT count(*) FROM import_rows r WHERE NOT EXISTS (SELECT 1 FROM import_matches m WHERE m.line = r.line)
            """).scalar(Int.self)
        // New contacts and their addresses in one statement: ids drawn once per row in a
        // materialised CTE, so no row-by-row round trip and no second pass to learn the ids.
        let sequence = try tx.query("SELECT pg_get_serial_sequence('contacts', 'id')").scalar(String.self)
        try tx.query("""
            WITH new_rows AS MATERIALIZED (
                SELECT nextval(\(sequence)::regclass) AS id, r.name, r.emails, a.id AS account_id, o.id AS owner_id
                  FROM import_rows r
                  LEFT JOIN import_accounts a ON a.account = r.account
                  LEFT JOIN owners o ON o.email = r.owner_email
                 WHERE NOT EXISTS (SELECT 1 FROM import_matches m WHERE m.line = r.line)),
            created AS (
                INSERT INTO contacts (id, name, account_id, owner_id)
                SELECT id, name, account_id, owner_id FROM new_rows)
            INSERT INTO contact_addresses (address, contact_id, position)
            SELECT e.address, n.id, e.ordinal - 1
              FROM new_rows n CROSS JOIN unnest(n.emails) WITH ORDINALITY AS e(address, ordinal)
            """)

        let changedLines = try tx.query("""
            UPDATE contacts c
               SET name = COALESCE(NULLIF(r.name, ''), c.name),
                   account_id = COALESCE(a.id, c.account_id),
                   owner_id = COALESCE(o.id, c.owner_id),
                   updated_at = now()
              FROM import_rows r
              JOIN import_matches m ON m.line = r.line
              LEFT JOIN import_accounts a ON a.account = r.account
              LEFT JOIN owners o ON o.email = r.owner_email
             WHERE c.id = m.contact_id
               AND (c.name IS DISTINCT FROM COALESCE(NULLIF(r.name, ''), c.name)
                    OR c.account_id IS DISTINCT FROM COALESCE(a.id, c.account_id)
                    OR c.owner_id IS DISTINCT FROM COALESCE(o.id, c.owner_id))
            RETURNING r.line
            """).map { try $0.decode(Int.self, at: 0) }
        let linesWithNewAddresses = try tx.query("""
            WITH fresh AS MATERIALIZED (
                SELECT r.line, m.contact_id, e.address, e.ordinal
                  FROM import_rows r
                  JOIN import_matches m ON m.line = r.line
                  CROSS JOIN unnest(r.emails) WITH ORDINALITY AS e(address, ordinal)
                 WHERE NOT EXISTS (SELECT 1 FROM contact_addresses ca WHERE ca.address = e.address)),
            added AS (
                INSERT INTO contact_addresses (address, contact_id, position)
                SELECT f.address, f.contact_id,
                       (SELECT COALESCE(max(ca.position), -1) FROM contact_addresses ca WHERE ca.contact_id = f.contact_id)
                       + f.ordinal
                  FROM fresh f
                ON CONFLICT (address) DO NOTHING
                RETURNING contact_id)
            SELECT DISTINCT f.line FROM fresh f JOIN added ON added.contact_id = f.contact_id
            """).map { try $0.decode(Int.self, at: 0) }
        summary.updated = Set(changedLines).union(linesWithNewAddresses).count
        let stored = try tx.query("SELECT count(*) FROM import_rows").scalar(Int.self)
        summary.unchanged = stored - summary.created - summary.updated
    }

    /// Moves the rows the query names (line, reason) from the staging table to `rejected`.
    private func rejectRows(summary: inout ImportSummary, _ tx: PostgresConnection, _ selection: StaticString) throws {
        let rejected = try tx.query("""
            WITH bad (line, reason) AS (\(unescaped: selection.description))
            DELETE FROM import_rows r USING bad WHERE r.line = bad.line
            RETURNING r.line, bad.reason
            """)
        for row in rejected {
            summary.rejected.append(ContactImportRejection(line: try row.decode(Int.self, at: 0),
                                                           reason: try row.decode(String.self, at: 1)))
        }
    }
}
