/// Turns an address as written in a header into the form contacts are matched on (DESIGN §5.1):
/// trimmed, angle brackets removed, local part and domain lowercased, IDN labels in Unicode,
/// `+tag` sub-addressing removed when enabled.
public struct AddressNormalizer: Sendable, Hashable {
    public var stripPlusTags: Bool

    /// Longer strings are not addresses (RFC 5321 limits a path to 256 octets).
    public static let maxAddressLength = 320

    public init(stripPlusTags: Bool = true) {
        self.stripPlusTags = stripPlusTags
    }

    /// The normalised address, or nil when the text is not `local@domain`.
    public func normalize(_ raw: String) -> String? {
        guard raw.utf8.count <= Self.maxAddressLength else { return nil }
        // Every party of every message passes through here, most of them more than once (matching,
        // thread key): plain ASCII addresses take a byte path, everything else the general one.
        let fast = raw.utf8.withContiguousStorageIfAvailable { ASCIIAddress.normalize($0, stripPlusTags: stripPlusTags) }
        if let outcome = fast ?? nil { return outcome.address }
        return normalizeGeneral(raw)
    }

    /// Character-level normalisation: the definition the ASCII path must agree with.
    func normalizeGeneral(_ raw: String) -> String? {
        guard raw.utf8.count <= Self.maxAddressLength else { return nil }
        var text = Substring(raw).trimmingWhitespace()
        if text.hasPrefix("<") && text.hasSuffix(">") && text.count >= 2 {
            text = text.dropFirst().dropLast().trimmingWhitespace()
        }
        guard let at = text.lastIndex(of: "@") else { return nil }
        var local = text[..<at]
        let domainText = text[text.index(after: at)...]
        guard !local.isEmpty, let domain = Self.normalizeDomain(String(domainText)) else { return nil }
        if stripPlusTags, let plus = local.firstIndex(of: "+"), plus != local.startIndex {
            local = local[..<plus]
        }
        return local.lowercased() + "@" + domain
    }

    /// Lowercase, no trailing dot, `xn--` labels decoded; nil for an empty or malformed domain.
    public static func normalizeDomain(_ raw: String) -> String? {
        var text = Substring(raw).trimmingWhitespace()
        if text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty, text.utf8.count <= 255 else { return nil }
        var labels: [String] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, !label.unicodeScalars.contains(where: Self.isForbiddenInDomain) else { return nil }
            let lower = label.lowercased()
            if lower.hasPrefix("xn--"), let decoded = Punycode.decode(lower.dropFirst(4)) {
                labels.append(decoded.lowercased())
            } else {
                labels.append(lower)
            }
        }
        return labels.joined(separator: ".")
    }

    /// RFC 5322 specials, whitespace and controls never appear in a domain name.
    /// ASCII is decided by value: Unicode property lookups are costly and every matched
    /// address passes through here.
    private static func isForbiddenInDomain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x21, 0x7F: return true
        case 0x21..<0x80:
            switch scalar {
            case "(", ")", "<", ">", "[", "]", ":", ";", "@", "\\", ",", "\"": return true
            default: return false
            }
        default: return scalar.properties.isWhitespace
        }
    }

    /// The domain part of an already normalised address.
    public static func domain(ofNormalized address: String) -> Substring {
        // The last "@" byte, when ASCII bytes surround it, is a Character of its own and no later
        // Character can be "@": the same index the Character-level search finds, without it.
        let utf8 = address.utf8
        if let at = utf8.lastIndex(of: UInt8(ascii: "@")) {
            let after = utf8.index(after: at)
            let asciiBefore = at == utf8.startIndex || utf8[utf8.index(before: at)] < 0x80
            let asciiAfter = after == utf8.endIndex || utf8[after] < 0x80
            if asciiBefore && asciiAfter { return address[after...] }
        }
        return domainByCharacters(ofNormalized: address)
    }

    static func domainByCharacters(ofNormalized address: String) -> Substring {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...]
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        // An ASCII byte that is not whitespace at either end settles it without grapheme
        // breaking: the first Character then starts with that scalar, and the last Character,
        // ending in it, cannot start with whitespace (nothing joins an ASCII letter to a space).
        let utf8 = self.utf8
        if let first = utf8.first, let last = utf8.last, Self.isASCIINonSpace(first), Self.isASCIINonSpace(last) {
            return self
        }
        return trimmingWhitespaceByCharacters()
    }

    func trimmingWhitespaceByCharacters() -> Substring {
        var result = self
        while let first = result.first, first.isWhitespace { result = result.dropFirst() }
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        return result
    }

    private static func isASCIINonSpace(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != 0x20 && !(byte >= 0x09 && byte <= 0x0D)
    }
}
