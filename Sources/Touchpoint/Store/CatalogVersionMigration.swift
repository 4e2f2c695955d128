import Postgres

extension Migrations {
    /// A one-row counter that any change to contacts, addresses, accounts, domains or owners
    /// bumps (statement-level triggers, so a 100k-row import bumps it once). Mailbox workers
    /// compare it per cycle and reload their matching snapshot only when it moved.
    static let catalogVersion = Migration(version: 2, name: "crm catalog version", script: """
        CREATE TABLE crm_catalog_version (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            version  bigint NOT NULL DEFAULT 0
        );
        INSERT INTO crm_catalog_version DEFAULT VALUES;

        CREATE FUNCTION bump_crm_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE crm_catalog_version SET version = version + 1;
            PERFORM pg_notify('touchpoint_contacts', '');
            RETURN NULL;
        END $$;

        CREATE TRIGGER contacts_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contacts
            FOR EACH STATEMENT EXECUTE FUNCTION bump_crm_catalog_version();
        CREATE TRIGGER contact_addresses_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contact_addresses
            FOR EACH STATEMENT EXECUTE FUNCTION bump_crm_catalog_version();
        CREATE TRIGGER accounts_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON accounts
            FOR EACH STATEMENT EXECUTE FUNCTION bump_crm_catalog_version();
        CREATE TRIGGER account_domains_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON account_domains
            FOR EACH STATEMENT EXECUTE FUNCTION bump_crm_catalog_version();
        CREATE TRIGGER owners_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON owners
            FOR EACH STATEMENT EXECUTE FUNCTION bump_crm_catalog_version();
        """)
}
