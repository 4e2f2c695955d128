extension Migrations {
    /// Every message keeps its subject key (`ThreadKey.subjectKey`, 8 bytes), so a reply whose
    /// client dropped References can find the thread of the nearest message with the same
    /// normalised subject and participants (`ThreadWindow`). No index: the lookup reaches candidates
    /// through the interactions' (contact_id, occurred_at) index and checks the key on the row, so
    /// ingesting a message costs no extra index insert. Messages stored before this version get a
    /// key only where their thread already was the key (`subj:<16 hex digits>`, the same 64-bit
    /// hash); the key of the others needs the subject normalisation, which only the application has.
    static let threadKeys = Migration(version: 5, name: "subject keys for the thread window", script: """
        ALTER TABLE messages ADD COLUMN thread_key bigint;
        UPDATE messages SET thread_key = ('x' || substr(thread_id, 6))::bit(64)::bigint
         WHERE thread_id ~ '^subj:[0-9a-f]{16}$';
        """)
}
