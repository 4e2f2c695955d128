/// Which way a message went, seen from the company.
public enum Direction: String, Sendable, Hashable {
    case inbound
    case outbound
}

/// Why a whole message produces no interactions.
public enum MessageSkipReason: Hashable, Sendable, CustomStringConvertible {
    case automated(String)
    case internalOnly
    case noParties

    public var description: String {
        switch self {
        case let .automated(reason): return "automated:\(reason)"
        case .internalOnly: return "internal-only"
        case .noParties: return "no-parties"
        }
    }
}

/// One row of the interaction log to write for this message.
public struct MatchedInteraction: Hashable, Sendable {
    public enum Evidence: String, Hashable, Sendable {
        /// The address is one of the contact's addresses.
        case address
        /// Only the domain is known, as an account's domain: an account-level interaction.
        case accountDomain
    }

    /// nil for an account-level interaction.
    public var contactID: ContactID?
    public var accountID: AccountID?
    public var direction: Direction
    /// The normalised address that matched.
    public var address: String
    public var evidence: Evidence
}

/// An external party that matched nothing, kept for later linking (`record`) or turned into a
/// proposed contact (`create`).
public struct UnmatchedParty: Hashable, Sendable {
    public var address: String
    public var displayName: String?
    /// The internal colleague on the other side of the message, a natural owner for a new contact.
    public var internalParty: String?
    /// Whether the domain is a free-mail provider's (so not a company domain to create an account for).
    public var isFreeMail: Bool
}

/// Everything the matcher decided about one message.
public struct MatchResult: Hashable, Sendable {
    public var direction: Direction?
    public var interactions: [MatchedInteraction]
    /// Filled under policy `record`.
    public var recorded: [UnmatchedParty]
    /// Filled under policy `create`: contacts to create (address + display name).
    public var proposedContacts: [UnmatchedParty]
    /// Unmatched external parties dropped under policy `ignore`.
    public var ignoredParties: Int
    public var skipped: MessageSkipReason?

    static func skip(_ reason: MessageSkipReason) -> MatchResult {
        MatchResult(direction: nil, interactions: [], recorded: [], proposedContacts: [], ignoredParties: 0, skipped: reason)
    }
}

/// Counters over many messages, for `touchpoint status` and the logs.
public struct MatchStatistics: Sendable, Hashable {
    public var messages = 0
    public var interactions = 0
    public var accountLevel = 0
    public var unmatchedParties = 0
    public var skippedByReason: [String: Int] = [:]

    public init() {}

    public mutating func add(_ result: MatchResult) {
        messages += 1
        interactions += result.interactions.count
        accountLevel += result.interactions.filter { $0.contactID == nil }.count
        unmatchedParties += result.ignoredParties + result.recorded.count + result.proposedContacts.count
        if let reason = result.skipped { skippedByReason[reason.description, default: 0] += 1 }
    }
}
