import Postgres

extension Migrations {
    /// The reference check of migration 7 locked every parent a statement referenced, including
    /// parents the same transaction had just inserted. Nobody else can see those rows before the
    /// commit, so nobody can delete them meanwhile: the lock protects nothing, yet it costs a WAL
    /// record and a dirtied page per parent. A contact import references 100k contacts it created
    /// a statement earlier. Measured on 100k contacts: the address statement's trigger took
    /// 0.81–0.85 s before (one run of four 0.45 s) and 0.38–0.67 s after (EXPLAIN ANALYZE, alternating);
    /// `touchpoint-bench import-contacts` on fresh databases used 5.66–5.81 s of backend CPU before
    /// and 4.80–5.06 s after in one series, overlapping ranges in a second, noisier one.
    ///
    /// A parent counts as the writer's own when its xmin is the writer's top-level transaction id.
    /// Rows written under a savepoint carry a subtransaction id instead and are locked as before
    /// (correct, only not skipped). The comparison cannot match a stranger's row: a frozen row
    /// reports xmin 2, and an unfrozen live row is never 2^31 transactions old, so equal 32-bit ids
    /// are the same transaction.
    static let ownParentsUnlocked = Migration(version: 8, name: "reference checks skip locking the writer's own new parents", script: """
        CREATE OR REPLACE FUNCTION tp_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            child_column    text := TG_ARGV[0];
            parent_table    text := TG_ARGV[1];
            constraint_name text := TG_ARGV[2];
            writer          xid := pg_current_xact_id()::xid;
            missing         text;
        BEGIN
            EXECUTE format('SELECT r.id::text FROM (SELECT DISTINCT %1$I AS id FROM written WHERE %1$I IS NOT NULL) r '
                           'LEFT JOIN LATERAL (SELECT true AS found FROM %2$I o WHERE o.id = r.id AND o.xmin = $1) own ON true '
                           'LEFT JOIN LATERAL (SELECT true AS found FROM %2$I p '
                           '                    WHERE own.found IS NULL AND p.id = r.id FOR KEY SHARE) p ON true '
                           'WHERE own.found IS NULL AND p.found IS NULL LIMIT 1', child_column, parent_table)
                INTO missing USING writer;
            IF missing IS NOT NULL THEN
                RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', TG_TABLE_NAME, constraint_name
                    USING ERRCODE = 'foreign_key_violation', CONSTRAINT = constraint_name, TABLE = TG_TABLE_NAME,
                          DETAIL = format('Key (%s)=(%s) is not present in table "%s".', child_column, missing, parent_table);
            END IF;
            RETURN NULL;
        END $$;
        """)
}
