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

    /// `internalDomains` as bytes when every one is ASCII (nil otherwise): an ASCII domain then
    /// equals one of them exactly when its bytes do, with no String built per label.
    private let asciiInternalDomains: [[UInt8]]?

    public init(internalDomains: [String], unmatched: UnmatchedPolicy = .ignore, freeMail: FreeMailDomains = FreeMailDomains()) {
        self.internalDomains = Set(internalDomains.compactMap(AddressNormalizer.normalizeDomain))
        self.unmatched = unmatched
        self.freeMail = freeMail
        let asBytes = self.internalDomains.map { Array($0.utf8) }
        asciiInternalDomains = asBytes.allSatisfy { $0.allSatisfy { $0 < 0x80 } } ? asBytes : nil
    }

    /// The domain or one of its parent domains is the company's.
    func isInternal(domain: Substring) -> Bool {
        if let asciiInternalDomains,
           let known = domain.utf8.withContiguousStorageIfAvailable({ Self.isInternalASCII($0, asciiInternalDomains) }),
           let answer = known {
            return answer
        }
        return isInternalByLabels(domain: domain)
    }

    /// nil when the domain is not ASCII. A parent domain is a suffix that follows a dot.
    private static func isInternalASCII(_ domain: UnsafeBufferPointer<UInt8>, _ companyDomains: [[UInt8]]) -> Bool? {
        guard domain.allSatisfy({ $0 < 0x80 }) else { return nil }
        return companyDomains.contains { candidate in
            let offset = domain.count - candidate.count
            guard offset >= 0, offset == 0 || domain[offset - 1] == UInt8(ascii: ".") else { return false }
            return domain[offset...].elementsEqual(candidate)
        }
    }

    /// The Character-level definition: every label suffix looked up in the set.
    func isInternalByLabels(domain: Substring) -> Bool {
        var candidate = domain
        // Bounded by the number of labels.
        while true {
            if internalDomains.contains(String(candidate)) { return true }
            guard let dot = candidate.firstIndex(of: ".") else { return false }
            candidate = candidate[candidate.index(after: dot)...]
        }
    }
}
