/// An immutable, indexed copy of the contacts and accounts the matcher needs, loaded once and reused
/// for every message until the tables change.
public struct ContactSnapshot: Sendable {
    public struct Contact: Hashable, Sendable {
        public var id: ContactID
        public var name: String?
        public var addresses: [String]
        public var accountID: AccountID?
        public var ownerEmail: String?

        public init(id: ContactID, name: String? = nil, addresses: [String], accountID: AccountID? = nil, ownerEmail: String? = nil) {
            self.id = id
            self.name = name
            self.addresses = addresses
            self.accountID = accountID
            self.ownerEmail = ownerEmail
        }
    }

    public struct Account: Hashable, Sendable {
        public var id: AccountID
        public var name: String
        public var domains: [String]
        public var ownerEmail: String?

        public init(id: AccountID, name: String, domains: [String], ownerEmail: String? = nil) {
            self.id = id
            self.name = name
            self.domains = domains
            self.ownerEmail = ownerEmail
        }
    }

    /// Something in the source data the snapshot had to decide about; worth a warning in the log.
    public enum Conflict: Hashable, Sendable {
        /// Two contacts share an address: the lower id wins.
        case sharedAddress(String, kept: ContactID, ignored: ContactID)
        /// Two accounts claim a domain: the lower id wins.
        case sharedDomain(String, kept: AccountID, ignored: AccountID)
        /// An account lists a free-mail domain: never used for matching.
        case freeMailDomain(String, account: AccountID)
        case invalidAddress(String, contact: ContactID)
        case invalidDomain(String, account: AccountID)
    }

    public let contacts: [ContactID: Contact]
    public let accounts: [AccountID: Account]
    public let normalizer: AddressNormalizer
    public let conflicts: [Conflict]
    private let contactByAddress: [String: ContactID]
    private let accountByDomain: [String: AccountID]

    /// `normalizer` must be the one messages are matched with, so both sides agree on the form.
    public init(contacts: [Contact], accounts: [Account], normalizer: AddressNormalizer,
                freeMail: FreeMailDomains = FreeMailDomains()) {
        var conflicts: [Conflict] = []
        var byAddress: [String: ContactID] = [:]
        for contact in contacts.sorted(by: { $0.id < $1.id }) {
            for raw in contact.addresses {
                guard let address = normalizer.normalize(raw) else {
                    conflicts.append(.invalidAddress(raw, contact: contact.id))
                    continue
                }
                if let existing = byAddress[address] {
                    if existing != contact.id { conflicts.append(.sharedAddress(address, kept: existing, ignored: contact.id)) }
                } else {
                    byAddress[address] = contact.id
                }
            }
        }
        var byDomain: [String: AccountID] = [:]
        for account in accounts.sorted(by: { $0.id < $1.id }) {
            for raw in account.domains {
                guard let domain = AddressNormalizer.normalizeDomain(raw) else {
                    conflicts.append(.invalidDomain(raw, account: account.id))
                    continue
                }
                if freeMail.contains(domain) {
                    conflicts.append(.freeMailDomain(domain, account: account.id))
                } else if let existing = byDomain[domain] {
                    if existing != account.id { conflicts.append(.sharedDomain(domain, kept: existing, ignored: account.id)) }
                } else {
                    byDomain[domain] = account.id
                }
            }
        }
        self.contacts = Dictionary(contacts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.accounts = Dictionary(accounts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.normalizer = normalizer
        self.conflicts = conflicts
        contactByAddress = byAddress
        accountByDomain = byDomain
    }

    /// The contact owning a normalised address.
    public func contact(forNormalizedAddress address: String) -> Contact? {
        contactByAddress[address].flatMap { contacts[$0] }
    }

    /// The account owning a normalised domain (free-mail domains are never indexed).
    public func account(forNormalizedDomain domain: some StringProtocol) -> Account? {
        accountByDomain[String(domain)].flatMap { accounts[$0] }
    }
}
