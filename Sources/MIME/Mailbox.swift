/// A mailbox from an address header: optional display name and the address as written (trimmed).
public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    public var description: String {
        if let name, !name.isEmpty { return "\(name) <\(address)>" }
        return address
    }

    /// The address normalised for matching (DESIGN §5 rule 1), or nil when it is not an address.
    public func normalized(stripPlusTag: Bool = false) -> EmailAddress? {
        EmailAddress(address, stripPlusTag: stripPlusTag)
    }
}

/// A normalised email address for matching: trimmed, lowercased (local part too: real mail treats it as
/// case-insensitive), the domain in Unicode form when it was punycode (IDNA), and optionally the
/// `+tag` sub-address removed.
public struct EmailAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public init?(_ raw: String, stripPlusTag: Bool = false) {
        var trimmed = Substring(raw)
        while let f = trimmed.first, f.isWhitespace || f == "<" { trimmed.removeFirst() }
        while let l = trimmed.last, l.isWhitespace || l == ">" || l == "." { trimmed.removeLast() }
        guard let at = trimmed.lastIndex(of: "@") else { return nil }
        var local = String(trimmed[..<at]).lowercased()
        var domain = String(trimmed[trimmed.index(after: at)...]).lowercased()
        if local.hasPrefix("\""), local.hasSuffix("\""), local.count >= 2 {
            local = String(local.dropFirst().dropLast())
        }
        if domain.hasPrefix("[") { domain = String(domain.dropFirst().prefix { $0 != "]" }) }
        guard !local.isEmpty, !domain.isEmpty,
              !local.contains(where: { $0.isWhitespace }), !domain.contains(where: { $0.isWhitespace || $0 == "@" })
        else { return nil }
        if stripPlusTag, let plus = local.firstIndex(of: "+"), plus != local.startIndex {
            local = String(local[..<plus])
        }
        self.localPart = local
        self.domain = Punycode.unicodeDomain(domain)
    }

    public var description: String { "\(localPart)@\(domain)" }
    public static func < (a: EmailAddress, b: EmailAddress) -> Bool { a.description < b.description }
}
