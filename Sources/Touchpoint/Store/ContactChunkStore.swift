import Postgres

/// The database side of a contact import: each chunk of validated rows is COPied into a
/// temporary table and upserted with set-based statements, all chunks in the importer's one
/// transaction. Used from the import's storing thread only (see `CSVImport.stream`); `summary`
/// is read after that thread has ended.
final class ContactChunkStore {
    private(set) var summary = ImportSummary()
    private var contactSequence: String?

    func store(_ rows: [ContactImportRow], _ tx: PostgresConnection) throws {
        let sequence = try contactSequence ?? begin(tx)
        contactSequence = sequence
        try stage(rows, tx)
        let rejectedBefore = summary.rejected.count
        let matched = try screenAgainstTheDatabase(tx)
        let stored = rows.count - (summary.rejected.count - rejectedBefore)
        try upsertAccountsAndOwners(tx)
        try upsertContacts(stored: stored, matched: matched, sequence: sequence, tx)
        try tx.query("DROP TABLE import_rows, import_matches, import_accounts")
    }

    /// Once per import, before the first chunk. Returns the contacts' id sequence.
    private func begin(_ tx: PostgresConnection) throws -> String {
        try tx.advisoryTransactionLock(ContactImporter.lockKey)
        // The reference triggers (migration 7) read each statement's rows back from a transition
        // table, and the upserts hash the staged rows: at the default 4 MB a chunk of 25k rows can
        // spill both to temporary files. Per sort/hash node, for this transaction only.
        try tx.query("SET LOCAL work_mem = '64MB'")
        // Several statements here cost more than jit_above_cost; EXPLAIN ANALYZE showed tens of
        // milliseconds of compilation each for expressions too simple to win that back.
        try tx.query("SET LOCAL jit = off")
        // Existing contacts that earlier chunks matched: a later row hitting one of them is
        // the "same existing contact" as that earlier line, as if the file were one chunk.
        try tx.execute(script: """
            CREATE TEMP TABLE import_touched (contact_id bigint PRIMARY KEY, line int NOT NULL) ON COMMIT DROP
            """)
        return try tx.query("SELECT pg_get_serial_sequence('contacts', 'id')").scalar(String.self)
    }

    private func stage(_ rows: [ContactImportRow], _ tx: PostgresConnection) throws {
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
    }

    /// Rejects rows whose account domain belongs to another stored account, whose addresses
    /// belong to two stored contacts, or whose stored contact an earlier line already names;
    /// records which stored contact each remaining row updates (`import_matches`). Returns how
    /// many remaining rows update a stored contact.
    private func screenAgainstTheDatabase(_ tx: PostgresConnection) throws -> Int {
        try rejectRows(tx, """
            SELECT DISTINCT ON (r.line) r.line, 'account domain ' || d.domain || ' belongs to account ' || a.name
              FROM import_rows r
              CROSS JOIN unnest(r.domains) AS d(domain)
              JOIN account_domains ad ON ad.domain = d.domain
              JOIN accounts a ON a.id = ad.account_id
             WHERE lower(a.name) <> lower(r.account)
             ORDER BY r.line
            """)
        try tx.execute(script: """
            CREATE TEMP TABLE import_matches ON COMMIT DROP AS
            SELECT r.line, min(ca.contact_id) AS contact_id, count(DISTINCT ca.contact_id) AS contacts
              FROM import_rows r
              CROSS JOIN unnest(r.emails) AS e(address)
              JOIN contact_addresses ca ON ca.address = e.address
             GROUP BY r.line;
            ANALYZE import_matches
            """)
        try rejectRows(tx, """
            SELECT line, 'its addresses belong to different existing contacts' FROM import_matches WHERE contacts > 1
            """)
        try rejectRows(tx, """
            SELECT line, 'same existing contact as line ' || first_line
              FROM (SELECT m.line, COALESCE(t.line, min(m.line) OVER (PARTITION BY m.contact_id)) AS first_line
                      FROM import_matches m
                      JOIN import_rows r ON r.line = m.line
                      LEFT JOIN import_touched t ON t.contact_id = m.contact_id) d
             WHERE line <> first_line
            """)
        return try tx.query("""
            INSERT INTO import_touched (contact_id, line)
            SELECT m.contact_id, m.line FROM import_matches m JOIN import_rows r ON r.line = m.line
            """).affectedRows
    }

    private func upsertAccountsAndOwners(_ tx: PostgresConnection) throws {
        summary.ownersCreated += try tx.query("""
            INSERT INTO owners (email)
            SELECT DISTINCT owner_email FROM import_rows WHERE owner_email IS NOT NULL
            ON CONFLICT (email) DO NOTHING
            """).affectedRows
        // The chunk's accounts by exact spelling (usually far fewer than its rows): the case
        // folding that identifies an account runs once per spelling, and the row joins below
        // compare plain text instead of calling lower() twice per row and statement.
        try tx.execute(script: """
            CREATE TEMP TABLE import_accounts ON COMMIT DROP AS
            SELECT account, min(line) AS line, NULL::bigint AS id FROM import_rows WHERE account IS NOT NULL GROUP BY account
            """)
        // Each account (and domain below) is spelt as on its first line; an earlier chunk holds
        // the earlier lines, and what it created wins the conflict.
        summary.accountsCreated += try tx.query("""
            INSERT INTO accounts (name)
            SELECT account
              FROM (SELECT DISTINCT ON (lower(account)) account, line FROM import_accounts ORDER BY lower(account), line) f
             ORDER BY line
            ON CONFLICT ((lower(name))) DO NOTHING
            """).affectedRows
        try tx.query("UPDATE import_accounts i SET id = a.id FROM accounts a WHERE lower(a.name) = lower(i.account)")
        try tx.query("ANALYZE accounts, owners, import_accounts")
        summary.domainsAdded += try tx.query("""
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
    }

    /// `stored`: the chunk's rows left after the rejections; `matched`: those of them that
    /// update a stored contact (the rest are created).
    private func upsertContacts(stored: Int, matched: Int, sequence: String, _ tx: PostgresConnection) throws {
        // New contacts and their addresses in one statement: ids drawn once per row in a
        // materialised CTE, so no row-by-row round trip and no second pass to learn the ids.
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
        let updated = Set(changedLines).union(linesWithNewAddresses).count
        summary.created += stored - matched
        summary.updated += updated
        summary.unchanged += matched - updated
    }

    /// Moves the rows the query names (line, reason) from the staging table to the rejections.
    private func rejectRows(_ tx: PostgresConnection, _ selection: StaticString) throws {
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
