/// One CSV row after validation, normalised (trimmed, lower-case addresses and domains).
struct ContactImportRow: Equatable {
    var line: Int
    var name: String
    var emails: [String]
    var account: String?
    var accountDomains: [String]
    var ownerEmail: String?
}

/// The header of a contacts CSV: which column holds what.
struct ContactImportHeader {
    enum Column: String, CaseIterable {
        case name, email, account, accountDomains = "account_domains", ownerEmail = "owner_email"
    }

    var positions: [Column: Int] = [:]
    var unknown: [String] = []
    var count: Int

    init(_ fields: [String]) throws {
        count = fields.count
        for (index, raw) in fields.enumerated() {
            let key = ContactRowValidator.trim(raw).lowercased()
                .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            if let column = Column(rawValue: key) {
                if positions[column] != nil { throw ContactImportError.duplicateColumn(column.rawValue) }
                positions[column] = index
            } else {
                unknown.append(raw)
            }
        }
        if positions[.email] == nil { throw ContactImportError.missingColumn("email") }
    }
}

enum ContactRowValidator {
    static let maximumFieldLength = 1_000
    static let maximumAddresses = 50

    /// Returns the normalised row or the reason it is rejected.
    static func validate(_ fields: [String], line: Int, header: ContactImportHeader) -> Result<ContactImportRow, ContactImportRejection> {
        func reject(_ reason: String) -> Result<ContactImportRow, ContactImportRejection> {
            .failure(ContactImportRejection(line: line, reason: reason))
        }
        guard fields.count == header.count else {
            return reject("expected \(header.count) fields, found \(fields.count)")
        }
        if let index = fields.firstIndex(where: { $0.utf8.contains(0) }) {
            return reject("field \(index + 1) contains a NUL byte")
        }
        if let index = fields.firstIndex(where: { $0.utf8.count > maximumFieldLength }) {
            return reject("field \(index + 1) is longer than \(maximumFieldLength) bytes")
        }
        func value(_ column: ContactImportHeader.Column) -> String {
            header.positions[column].map { trim(fields[$0]) } ?? ""
        }
        let emails = splitList(value(.email)).map { $0.lowercased() }
        guard !emails.isEmpty else { return reject("no email address") }
        guard emails.count <= maximumAddresses else { return reject("more than \(maximumAddresses) email addresses") }
        if let invalid = emails.first(where: { !isPlausibleAddress($0) }) {
            return reject("invalid email address \(quoted(invalid))")
        }
        let account = value(.account)
        let domains = splitList(value(.accountDomains)).map { domain -> String in
            let lower = domain.lowercased()
            return lower.hasPrefix("@") ? String(lower.dropFirst()) : lower
        }
        if !domains.isEmpty, account.isEmpty { return reject("account_domains given without an account") }
        if let invalid = domains.first(where: { !isPlausibleDomain($0) }) {
            return reject("invalid account domain \(quoted(invalid))")
        }
        let owner = value(.ownerEmail).lowercased()
        if !owner.isEmpty, !isPlausibleAddress(owner) { return reject("invalid owner_email \(quoted(owner))") }
        return .success(ContactImportRow(
            line: line, name: value(.name), emails: uniqued(emails), account: account.isEmpty ? nil : account,
            accountDomains: uniqued(domains), ownerEmail: owner.isEmpty ? nil : owner))
    }

    /// Splits on the UTF-8 bytes: ';' is ASCII, so it never occurs inside a multi-byte
    /// character, and byte search skips the grapheme breaking of a Character split (a fifth of
    /// an import's client CPU).
    static func splitList(_ text: String) -> [String] {
        let bytes = text.utf8
        var items: [String] = []
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
            let item = trim(String(Substring(bytes[start..<end])))
            if !item.isEmpty { items.append(item) }
            guard end < bytes.endIndex else { break }
            start = bytes.index(after: end)
        }
        return items
    }

    /// Deliberately loose (real addresses are odd) but rejects what cannot be an address.
    static func isPlausibleAddress(_ address: String) -> Bool {
        let bytes = address.utf8
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return false }
        let localLength = bytes.distance(from: bytes.startIndex, to: at)
        guard localLength > 0, localLength <= 64 else { return false }
        let local = address.utf8[..<at]
        let domain = String(Substring(address.utf8[bytes.index(after: at)...]))
        return !local.contains(where: isForbiddenInAddress) && isPlausibleDomain(domain)
            && !containsNonASCIIWhitespace(address)
    }

    static func isPlausibleDomain(_ domain: String) -> Bool {
        let bytes = domain.utf8
        guard !bytes.isEmpty, bytes.count <= 253, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else {
            return false
        }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            if isForbiddenInAddress(byte) || isForbiddenInDomain(byte) { return false }
            previous = byte
        }
        return !containsNonASCIIWhitespace(domain)
    }

    /// ASCII controls, space and the separators that would make a list or a header out of it.
    /// (A fast byte test: Unicode property lookups per character dominated import time.)
    private static func isForbiddenInAddress(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "\"")
    }

    /// A switch, not a Set: hashing every byte of every domain was ~5% of an import's client CPU.
    private static func isForbiddenInDomain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }

    private static func containsNonASCIIWhitespace(_ text: String) -> Bool {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return false }
        return text.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// Trims Unicode whitespace (including NBSP, which spreadsheets love) at both ends.
    static func trim(_ text: String) -> String {
        let bytes = text.utf8
        if let first = bytes.first, let last = bytes.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return text  // nothing to trim: the common case, without Unicode property lookups
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    /// Rows list one to a few values: a linear scan beats building a Set for each.
    private static func uniqued(_ values: [String]) -> [String] {
        guard values.count > 8 else {
            var kept: [String] = []
            for value in values where !kept.contains(value) { kept.append(value) }
            return kept
        }
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Rejection reasons are shown to the admin: keep them one line and bounded.
    private static func quoted(_ text: String) -> String {
        let escaped = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }.joined()
        return "\"" + (escaped.count > 80 ? escaped.prefix(80) + "…" : escaped) + "\""
    }
}
