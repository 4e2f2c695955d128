import CRM
import Foundation

/// The matcher's view of the CRM at one moment: contacts, accounts and the rules. Immutable, so
/// mailbox workers share it freely; replaced as a whole when the contact tables change.
public struct MatchingContext: Sendable {
    public let snapshot: CRM.ContactSnapshot
    public let rules: CRM.MatchingConfig
    public let normalizer: AddressNormalizer
    public let ignoredAddresses: Set<String>
    public let ownerEmailByID: [Int64: String]
    public let threadWindow: Duration

    public init(records: ContactSnapshot, config: Config) {
        let owners = Dictionary(records.owners.map { ($0.id, $0.email) }, uniquingKeysWith: { first, _ in first })
        self.init(
            contacts: records.contacts.map {
                .init(id: ContactID($0.id), name: $0.name, addresses: $0.addresses, accountID: $0.accountID.map { AccountID($0) },
                      ownerEmail: $0.ownerID.flatMap { owners[$0] })
            },
            accounts: records.accounts.map {
                .init(id: AccountID($0.id), name: $0.name, domains: $0.domains, ownerEmail: $0.ownerID.flatMap { owners[$0] })
            },
            ownerEmailByID: owners, config: config)
    }

    /// From contacts and accounts already in the matcher's form; the store-backed initialiser and
    /// `touchpoint-bench assemble` (which has no database) both come through here.
    public init(contacts: [CRM.ContactSnapshot.Contact], accounts: [CRM.ContactSnapshot.Account],
                ownerEmailByID: [Int64: String], config: Config) {
        let normalizer = AddressNormalizer(stripPlusTags: config.matching.stripPlusTags)
        let freeMail = FreeMailDomains(additional: config.matching.extraFreeMailDomains)
        snapshot = CRM.ContactSnapshot(contacts: contacts, accounts: accounts, normalizer: normalizer, freeMail: freeMail)
        let policy: CRM.UnmatchedPolicy = switch config.matching.unmatched {
        case .ignore: .ignore
        case .record: .record
        case .create: .create
        }
        rules = CRM.MatchingConfig(internalDomains: config.companyDomains, unmatched: policy, freeMail: freeMail)
        self.normalizer = normalizer
        ignoredAddresses = Set(config.matching.ignoreAddresses.compactMap(normalizer.normalize))
        self.ownerEmailByID = ownerEmailByID
        threadWindow = config.matching.threadWindow
    }
}
