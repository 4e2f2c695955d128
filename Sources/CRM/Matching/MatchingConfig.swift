/// What to do with an external party that matches no contact and no account.
public enum UnmatchedPolicy: String, Sendable, CaseIterable {
    /// Counted, nothing stored (the default).
    case ignore
    /// Stored as an unmatched interaction, linked when the contact is added later.
    case record
    /// A new contact is proposed from the display name.
    case create
}

/// The `[company]` and `[matching]` settings the matcher uses.
public struct MatchingConfig: Sendable {
    /// The company's own domains; subdomains count too (`eu.example.com` under `example.com`).
    public let internalDomains: Set<String>
    public var unmatched: UnmatchedPolicy
    public var freeMail: FreeMailDomains

    public init(internalDomains: [String], unmatched: UnmatchedPolicy = .ignore, freeMail: FreeMailDomains = FreeMailDomains()) {
        self.internalDomains = Set(internalDomains.compactMap(AddressNormalizer.normalizeDomain))
        self.unmatched = unmatched
        self.freeMail = freeMail
    }

    func isInternal(domain: Substring) -> Bool {
        var candidate = domain
        // Bounded by the number of labels.
        while true {
            if internalDomains.contains(String(candidate)) { return true }
            guard let dot = candidate.firstIndex(of: ".") else { return false }
            candidate = candidate[candidate.index(after: dot)...]
        }
    }
}
