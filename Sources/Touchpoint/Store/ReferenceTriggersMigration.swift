import Postgres

extension Migrations {
    /// The CRM tables a contact import writes (owners, accounts, account_domains, contacts,
    /// contact_addresses) trade their five foreign keys for statement-level triggers over
    /// transition tables. A foreign key checks (and locks) the parent once per written row:
    /// 400k checks for a 100k-contact import, most of its server time. The triggers check and
    /// lock all parents a statement references in one set-based query, so the rule still holds
    /// for every writer, SQL users included:
    ///
    /// - writing a child whose parent does not exist fails with SQLSTATE 23503 under the old
    ///   constraint name, like the foreign key did;
    /// - the referenced parents are locked `FOR KEY SHARE`, as the foreign key did, so a
    ///   concurrent delete of a parent waits for the writer and then cascades to its rows;
    /// - deleting a parent cascades (or sets NULL) as the foreign key's ON DELETE did;
    /// - changing a referenced parent id is refused (the foreign key's NO ACTION); truncating a
    ///   parent applies the ON DELETE rule to all its children.
    ///
    /// The check functions take the table and column names as trigger arguments (fixed
    /// literals of this script) and quote them with format('%I').
    static let referenceTriggers = Migration(version: 7, name: "statement-level reference checks on the CRM tables", script: """
        ALTER TABLE contact_addresses DROP CONSTRAINT contact_addresses_contact_id_fkey;
        ALTER TABLE contacts DROP CONSTRAINT contacts_account_id_fkey, DROP CONSTRAINT contacts_owner_id_fkey;
        ALTER TABLE account_domains DROP CONSTRAINT account_domains_account_id_fkey;
        ALTER TABLE accounts DROP CONSTRAINT accounts_owner_id_fkey;

        -- external_id is NULL on every contact an import or the matcher creates, and a UNIQUE
        -- constraint indexes those NULLs too: a btree insert per contact for nothing. The partial
        -- unique index enforces the same rule (NULLs never conflicted) where there is a value.
        ALTER TABLE contacts DROP CONSTRAINT contacts_external_id_key;
        CREATE UNIQUE INDEX contacts_external_id_key ON contacts (external_id) WHERE external_id IS NOT NULL;

        -- Child side, after INSERT or UPDATE: arguments (child column, parent table, constraint).
        -- One pass: each distinct reference looks up and locks its parent; a reference with no
        -- parent fails the statement. Under READ COMMITTED a parent deleted by a transaction the
        -- lock waited for is not returned, so it counts as missing; under REPEATABLE READ the
        -- lock itself fails with a serialization error.
        CREATE FUNCTION tp_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            child_column    text := TG_ARGV[0];
            parent_table    text := TG_ARGV[1];
            constraint_name text := TG_ARGV[2];
            missing         text;
        BEGIN
            EXECUTE format('SELECT r.id::text FROM (SELECT DISTINCT %1$I AS id FROM written WHERE %1$I IS NOT NULL) r '
                           'LEFT JOIN LATERAL (SELECT true AS found FROM %2$I p WHERE p.id = r.id FOR KEY SHARE) p ON true '
                           'WHERE p.found IS NULL LIMIT 1', child_column, parent_table) INTO missing;
            IF missing IS NOT NULL THEN
                RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', TG_TABLE_NAME, constraint_name
                    USING ERRCODE = 'foreign_key_violation', CONSTRAINT = constraint_name, TABLE = TG_TABLE_NAME,
                          DETAIL = format('Key (%s)=(%s) is not present in table "%s".', child_column, missing, parent_table);
            END IF;
            RETURN NULL;
        END $$;

        -- Parent side, after DELETE: arguments (child table, child column, 'cascade' | 'set null').
        CREATE FUNCTION tp_delete_references() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_ARGV[2] = 'cascade' THEN
                EXECUTE format('DELETE FROM %1$I c USING gone g WHERE c.%2$I = g.id', TG_ARGV[0], TG_ARGV[1]);
            ELSE
                EXECUTE format('UPDATE %1$I c SET %2$I = NULL FROM gone g WHERE c.%2$I = g.id', TG_ARGV[0], TG_ARGV[1]);
            END IF;
            RETURN NULL;
        END $$;

        -- Parent side, before an UPDATE that changes the id: arguments (child table, child column)
        -- pairs. Row-level, but its WHEN clause keeps it from firing for any other update.
        CREATE FUNCTION tp_keep_referenced_id() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            referenced boolean;
        BEGIN
            FOR pair IN 0 .. TG_NARGS / 2 - 1 LOOP
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[2 * pair], TG_ARGV[2 * pair + 1])
                    INTO referenced USING OLD.id;
                IF referenced THEN
                    RAISE EXCEPTION 'update on table "%" changes an id that table "%" still refers to', TG_TABLE_NAME, TG_ARGV[2 * pair]
                        USING ERRCODE = 'foreign_key_violation', TABLE = TG_ARGV[2 * pair],
                              DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', OLD.id, TG_ARGV[2 * pair]);
                END IF;
            END LOOP;
            RETURN NEW;
        END $$;

        -- Parent side, after TRUNCATE: arguments as for DELETE. A truncated parent leaves no row
        -- behind, so its children get the ON DELETE rule for every reference (with a foreign key,
        -- TRUNCATE refused unless CASCADE truncated the children as well).
        CREATE FUNCTION tp_truncate_references() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_ARGV[2] = 'cascade' THEN
                EXECUTE format('DELETE FROM %1$I WHERE %2$I IS NOT NULL', TG_ARGV[0], TG_ARGV[1]);
            ELSE
                EXECUTE format('UPDATE %1$I SET %2$I = NULL WHERE %2$I IS NOT NULL', TG_ARGV[0], TG_ARGV[1]);
            END IF;
            RETURN NULL;
        END $$;

        -- A transition table is only allowed on a single-event trigger, hence one trigger per event.
        CREATE TRIGGER contact_addresses_contact_inserted AFTER INSERT ON contact_addresses
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('contact_id', 'contacts', 'contact_addresses_contact_id_fkey');
        CREATE TRIGGER contact_addresses_contact_updated AFTER UPDATE ON contact_addresses
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('contact_id', 'contacts', 'contact_addresses_contact_id_fkey');
        CREATE TRIGGER contacts_account_inserted AFTER INSERT ON contacts
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('account_id', 'accounts', 'contacts_account_id_fkey');
        CREATE TRIGGER contacts_account_updated AFTER UPDATE ON contacts
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('account_id', 'accounts', 'contacts_account_id_fkey');
        CREATE TRIGGER contacts_owner_inserted AFTER INSERT ON contacts
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('owner_id', 'owners', 'contacts_owner_id_fkey');
        CREATE TRIGGER contacts_owner_updated AFTER UPDATE ON contacts
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('owner_id', 'owners', 'contacts_owner_id_fkey');
        CREATE TRIGGER account_domains_account_inserted AFTER INSERT ON account_domains
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('account_id', 'accounts', 'account_domains_account_id_fkey');
        CREATE TRIGGER account_domains_account_updated AFTER UPDATE ON account_domains
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('account_id', 'accounts', 'account_domains_account_id_fkey');
        CREATE TRIGGER accounts_owner_inserted AFTER INSERT ON accounts
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('owner_id', 'owners', 'accounts_owner_id_fkey');
        CREATE TRIGGER accounts_owner_updated AFTER UPDATE ON accounts
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT
            EXECUTE FUNCTION tp_check_references('owner_id', 'owners', 'accounts_owner_id_fkey');

        CREATE TRIGGER contacts_delete_addresses AFTER DELETE ON contacts
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
            EXECUTE FUNCTION tp_delete_references('contact_addresses', 'contact_id', 'cascade');
        CREATE TRIGGER accounts_delete_domains AFTER DELETE ON accounts
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
            EXECUTE FUNCTION tp_delete_references('account_domains', 'account_id', 'cascade');
        CREATE TRIGGER accounts_unlink_contacts AFTER DELETE ON accounts
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
            EXECUTE FUNCTION tp_delete_references('contacts', 'account_id', 'set null');
        CREATE TRIGGER owners_unlink_accounts AFTER DELETE ON owners
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
            EXECUTE FUNCTION tp_delete_references('accounts', 'owner_id', 'set null');
        CREATE TRIGGER owners_unlink_contacts AFTER DELETE ON owners
            REFERENCING OLD TABLE AS gone FOR EACH STATEMENT
            EXECUTE FUNCTION tp_delete_references('contacts', 'owner_id', 'set null');

        CREATE TRIGGER contacts_keep_referenced_id BEFORE UPDATE OF id ON contacts
            FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
            EXECUTE FUNCTION tp_keep_referenced_id('contact_addresses', 'contact_id');
        CREATE TRIGGER accounts_keep_referenced_id BEFORE UPDATE OF id ON accounts
            FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
            EXECUTE FUNCTION tp_keep_referenced_id('account_domains', 'account_id', 'contacts', 'account_id');
        CREATE TRIGGER owners_keep_referenced_id BEFORE UPDATE OF id ON owners
            FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
            EXECUTE FUNCTION tp_keep_referenced_id('accounts', 'owner_id', 'contacts', 'owner_id');

        CREATE TRIGGER contacts_truncate_addresses AFTER TRUNCATE ON contacts
            FOR EACH STATEMENT EXECUTE FUNCTION tp_truncate_references('contact_addresses', 'contact_id', 'cascade');
        CREATE TRIGGER accounts_truncate_domains AFTER TRUNCATE ON accounts
            FOR EACH STATEMENT EXECUTE FUNCTION tp_truncate_references('account_domains', 'account_id', 'cascade');
        CREATE TRIGGER accounts_truncate_unlink_contacts AFTER TRUNCATE ON accounts
            FOR EACH STATEMENT EXECUTE FUNCTION tp_truncate_references('contacts', 'account_id', 'set null');
        CREATE TRIGGER owners_truncate_unlink_accounts AFTER TRUNCATE ON owners
            FOR EACH STATEMENT EXECUTE FUNCTION tp_truncate_references('accounts', 'owner_id', 'set null');
        CREATE TRIGGER owners_truncate_unlink_contacts AFTER TRUNCATE ON owners
            FOR EACH STATEMENT EXECUTE FUNCTION tp_truncate_references('contacts', 'owner_id', 'set null');
        """)
}
