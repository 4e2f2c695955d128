import Postgres

public struct OwnerRecord: Sendable, Hashable {
    public var id: Int64
    public var email: String
}

public struct AccountRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var ownerID: Int64?
    /// Lower-case domains, sorted.
    public var domains: [String]
}

public struct ContactRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var accountID: Int64?
    public var ownerID: Int64?
    /// Normalised addresses, primary first.
    public var addresses: [String]
}

/// Everything the matcher needs, read in one consistent snapshot.
public struct ContactSnapshot: Sendable, Hashable {
    public var owners: [OwnerRecord]
    public var accounts: [AccountRecord]
    public var contacts: [ContactRecord]
}

extension Store {
    public static func loadContactSnapshot(_ connection: PostgresConnection) throws -> ContactSnapshot {
        try connection.transaction { tx in
            // One snapshot for all five reads, so a concurrent import is seen entirely or not at all.
            try tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let owners = try tx.query("SELECT id, email FROM owners ORDER BY id").map {
                OwnerRecord(id: try $0.decode(Int64.self, at: 0), email: try $0.decode(String.self, at: 1))
            }
            var accounts = try tx.query("SELECT id, name, owner_id FROM accounts ORDER BY id").map {
                AccountRecord(id: try $0.decode(Int64.self, at: 0), name: try $0.decode(String.self, at: 1),
                              ownerID: try $0.decode(Int64?.self, at: 2), domains: [])
            }
            let accountIndex = Dictionary(uniqueKeysWithValues: accounts.enumerated().map { ($1.id, $0) })
            for row in try tx.query("SELECT account_id, domain FROM account_domains ORDER BY account_id, domain") {
                if let index = accountIndex[try row.decode(Int64.self, at: 0)] {
                    accounts[index].domains.append(try row.decode(String.self, at: 1))
                }
            }
            var contacts = try tx.query("SELECT id, name, account_id, owner_id FROM contacts ORDER BY id").map {
                ContactRecord(id: try $0.decode(Int64.self, at: 0), name: try $0.decode(String.self, at: 1),
                              accountID: try $0.decode(Int64?.self, at: 2), ownerID: try $0.decode(Int64?.self, at: 3),
                              addresses: [])
            }
            let contactIndex = Dictionary(uniqueKeysWithValues: contacts.enumerated().map { ($1.id, $0) })
            for row in try tx.query("SELECT contact_id, address FROM contact_addresses ORDER BY contact_id, position, address") {
                if let index = contactIndex[try row.decode(Int64.self, at: 0)] {
                    contacts[index].addresses.append(try row.decode(String.self, at: 1))
                }
            }
            return ContactSnapshot(owners: owners, accounts: accounts, contacts: contacts)
        }
    }
}
