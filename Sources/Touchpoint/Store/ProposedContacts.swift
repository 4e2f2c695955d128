import Foundation
import Postgres

/// A contact the matcher proposes under `[matching] unmatched = create`: an external party no
/// contact or account matched.
public struct ProposedContact: Sendable, Hashable {
    /// Normalised, as the matcher compares it.
    public var address: String
    public var displayName: String?

    public init(address: String, displayName: String?) {
        self.address = address
        self.displayName = displayName
    }

    /// The display name, else the address's local part: a contact always has a readable name.
    public var name: String {
        if let displayName, !displayName.trimmingCharacters(in: .whitespaces).isEmpty { return displayName }
        return String(address.prefix { $0 != "@" })
    }
}

extension Store {
    /// Creates one contact per proposed address not yet owned by any contact, in one
    /// transaction; returns the addresses created. Safe to repeat and safe against a concurrent
    /// instance: an address another session took first is skipped (its contact is removed again).
    @discardableResult
    public static func createProposedContacts(_ proposals: [ProposedContact], _ connection: PostgresConnection) throws -> [String] {
        var created: [String] = []
        try connection.transaction { tx in
            for proposal in proposals {
                let address = StoreText.storable(proposal.address)
                let exists = try tx.query("SELECT EXISTS (SELECT 1 FROM contact_addresses WHERE address = \(address))").scalar(Bool.self)
                guard !exists else { continue }
                let id = try tx.query("INSERT INTO contacts (name) VALUES (\(StoreText.storable(proposal.name))) RETURNING id").scalar(Int64.self)
                let inserted = try tx.query("""
                    INSERT INTO contact_addresses (address, contact_id) VALUES (\(address), \(id)) ON CONFLICT DO NOTHING
                    """).affectedRows
                if inserted == 1 {
                    created.append(proposal.address)
                } else {
                    try tx.query("DELETE FROM contacts WHERE id = \(id)")
                }
            }
        }
        return created
    }
}
