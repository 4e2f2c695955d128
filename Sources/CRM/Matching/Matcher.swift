/// Decides whom a message concerns and which way it went (DESIGN §5). Pure: the same parties,
/// snapshot and config always give the same result.
public enum Matcher {
    public static func match(message: MessageParties, snapshot: ContactSnapshot, config: MatchingConfig) -> MatchResult {
        if let reason = message.automatedReason { return .skip(.automated(reason)) }
        let normalizer = snapshot.normalizer

        struct Party {
            var address: String
            var displayName: String?
            var isInternal: Bool
        }
        func resolve(_ parties: [MailParty]) -> [Party] {
            parties.compactMap { party in
                guard let address = normalizer.normalize(party.address) else { return nil }
                let domain = AddressNormalizer.domain(ofNormalized: address)
                let name = party.displayName.map { Substring($0).trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : String($0) }
                return Party(address: address, displayName: name, isInternal: config.isInternal(domain: domain))
            }
        }
        // The author is From; Sender stands in only when From is missing or unreadable.
        var originators = resolve(message.from)
        if originators.isEmpty, let sender = message.sender { originators = resolve([sender]) }
        let replyTo = resolve(message.replyTo)
        let recipients = resolve(message.to + message.cc + message.bcc)
        let everyone = originators + replyTo + recipients
        guard !everyone.isEmpty else { return .skip(.noParties) }
        let external = everyone.filter { !$0.isInternal }
        guard !external.isEmpty else { return .skip(.internalOnly) }

        // Internal author → outbound; external author (to colleagues, or forwarded/BCC'd with no
        // colleague in sight) → inbound. An internal system writing to colleagues on a customer's
        // behalf (a web form: From us, Reply-To the customer) is inbound too.
        let authorIsInternal = !originators.isEmpty && originators.allSatisfy(\.isInternal)
        let writesToOutside = recipients.contains { !$0.isInternal }
        let direction: Direction = authorIsInternal && (writesToOutside || replyTo.allSatisfy(\.isInternal)) ? .outbound : .inbound
        let internalParty = direction == .outbound
            ? originators.first?.address
            : recipients.first(where: \.isInternal)?.address

        var result = MatchResult(direction: direction, interactions: [], recorded: [], proposedContacts: [],
                                 ignoredParties: 0, skipped: nil)
        var seenAddresses = Set<String>()
        var matchedContacts = Set<ContactID>()
        var coveredAccounts = Set<AccountID>()
        var accountCandidates: [(AccountID, String)] = []
        for party in external where seenAddresses.insert(party.address).inserted {
            if let contact = snapshot.contact(forNormalizedAddress: party.address) {
                guard matchedContacts.insert(contact.id).inserted else { continue }
                if let account = contact.accountID { coveredAccounts.insert(account) }
                result.interactions.append(MatchedInteraction(
                    contactID: contact.id, accountID: contact.accountID, direction: direction,
                    address: party.address, evidence: .address))
                continue
            }
            let domain = AddressNormalizer.domain(ofNormalized: party.address)
            let isFreeMail = config.freeMail.contains(domain)
            if !isFreeMail, let account = snapshot.account(forNormalizedDomain: domain) {
                accountCandidates.append((account.id, party.address))
                continue
            }
            let unmatched = UnmatchedParty(address: party.address, displayName: party.displayName,
                                           internalParty: internalParty, isFreeMail: isFreeMail)
            switch config.unmatched {
            case .ignore: result.ignoredParties += 1
            case .record: result.recorded.append(unmatched)
            case .create: result.proposedContacts.append(unmatched)
            }
        }
        // One account-level interaction per account, and none when a contact of that account was
        // matched by address in the same message: the contact's row already names the account.
        for (account, address) in accountCandidates where coveredAccounts.insert(account).inserted {
            result.interactions.append(MatchedInteraction(
                contactID: nil, accountID: account, direction: direction, address: address, evidence: .accountDomain))
        }
        return result
    }
}
