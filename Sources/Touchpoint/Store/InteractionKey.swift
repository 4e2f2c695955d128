/// What the unique indexes on `interactions` compare: (message, contact, direction) for contact
/// rows, (message, account, direction) for account-only rows. Used to dedupe a batch in memory
/// before a plain INSERT, exactly as those indexes would.
struct InteractionKey: Hashable {
    let messageID: Int64
    let contactID: Int64?
    let accountID: Int64?
    let direction: InteractionDirection

    init(messageID: Int64, row: InteractionRow) {
        self.messageID = messageID
        self.contactID = row.contactID
        // The account only distinguishes rows that have no contact (interactions_account_key).
        self.accountID = row.contactID == nil ? row.accountID : nil
        self.direction = row.direction
    }
}
