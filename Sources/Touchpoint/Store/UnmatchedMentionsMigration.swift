import Postgres

extension Migrations {
    /// Under `unmatched = record`, every message an unknown external party appeared in (and in
    /// which direction), so that when the contact is added later — by import or by SQL — those
    /// messages become interactions (`Store.linkRecordedMentions`). `unmatched_parties` keeps
    /// one row per address for people to review; this table is the per-message detail.
    static let unmatchedMentions = Migration(version: 4, name: "unmatched mentions per message", script: """
        CREATE TABLE unmatched_mentions (
            address    text NOT NULL CHECK (address !~ '[A-Z]' AND address = btrim(address)),
            message_id bigint NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
            direction  text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
            mailbox_id bigint REFERENCES mailboxes (id) ON DELETE SET NULL,
            PRIMARY KEY (address, message_id, direction)
        );
        """)
}
