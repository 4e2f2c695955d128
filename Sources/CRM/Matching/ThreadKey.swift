/// Thread identity for the interaction log: replies carry their conversation's root Message-ID in
/// References (or at least In-Reply-To), and a message starting a conversation is the root its
/// replies will name. When a client dropped both headers, the normalised subject and the
/// participants are the best key left: the store maps such a message onto the thread of the
/// nearest message with the same key inside a time window (`thread-window`). This type only
/// computes identities and keys; the window needs the stored messages, so it lives in the store.
public enum ThreadKey {
    /// Bounds the work on hostile subjects.
    static let maxPrefixes = 20

    /// What the pipeline needs of every message, with its subject normalised once: the thread the
    /// headers decide (see `headerThreadID`) and the subject key (see `subjectKey`).
    public static func identify(messageID: String?, inReplyTo: [String], references: [String], subject: String?,
                                participants: [String], normalizer: AddressNormalizer) -> (headerThreadID: String?, subjectKey: Int64) {
        let subject = normalize(subject ?? "")
        let header = headerThreadID(messageID: messageID, inReplyTo: inReplyTo, references: references, isReply: subject.strippedPrefix)
        return (header, key(normalizedSubject: subject.text, participants: participants, normalizer: normalizer))
    }

    /// The thread the headers decide: `msg:<root id>` from References/In-Reply-To, or `msg:<own id>`
    /// for a message that starts a conversation. Nil when only the subject key can tell: a reply
    /// whose client dropped the references (its subject says it is a reply), or a message without
    /// a Message-ID (nothing can ever refer to it).
    public static func headerThreadID(messageID: String?, inReplyTo: [String], references: [String], subject: String?) -> String? {
        headerThreadID(messageID: messageID, inReplyTo: inReplyTo, references: references, isReply: looksLikeReply(subject ?? ""))
    }

    private static func headerThreadID(messageID: String?, inReplyTo: [String], references: [String], isReply: @autoclosure () -> Bool) -> String? {
        if let root = (references + inReplyTo).lazy.map(cleanID).first(where: { !$0.isEmpty }) {
            return "msg:" + root
        }
        guard let own = messageID.map(cleanID), !own.isEmpty, !isReply() else { return nil }
        return "msg:" + own
    }

    /// A reply or forward prefix was stripped from the subject.
    public static func looksLikeReply(_ subject: String) -> Bool {
        normalize(subject).strippedPrefix
    }

    /// A stable 64-bit FNV-1a hash of the normalised subject and the sorted, normalised participants
    /// (`subject + "\n" + participants joined by ","`), so `Re: Quote` from b to a keys like `Quote`
    /// from a to b. Stable across releases: stored keys are compared with the keys of mail synced later.
    public static func subjectKey(subject: String, participants: [String], normalizer: AddressNormalizer) -> Int64 {
        key(normalizedSubject: normalize(subject).text, participants: participants, normalizer: normalizer)
    }

    private static func key(normalizedSubject: String, participants: [String], normalizer: AddressNormalizer) -> Int64 {
        let people = Set(participants.compactMap { participantKey($0, normalizer) }).sorted()
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0100_0000_01B3
            }
        }
        mix(normalizedSubject.utf8)
        mix(CollectionOfOne(UInt8(ascii: "\n")))
        for (index, person) in people.enumerated() {
            if index > 0 { mix(CollectionOfOne(UInt8(ascii: ","))) }
            mix(person.utf8)
        }
        return Int64(bitPattern: hash)
    }

    /// `normalizer.normalize(raw)`, without its Unicode work for the plain ASCII `local@domain` (in
    /// angle brackets or not) that nearly every address is: the full normalizer costs ~4 µs an
    /// address and every participant of every message passes here. Anything else (whitespace,
    /// non-ASCII, IDN `xn--` labels, a trailing dot, characters a domain cannot hold) goes to the
    /// normalizer; a test holds the two equal.
    static func participantKey(_ raw: String, _ normalizer: AddressNormalizer) -> String? {
        var bytes = Array(raw.utf8)
        if bytes.count >= 2, bytes.first == UInt8(ascii: "<"), bytes.last == UInt8(ascii: ">") {
            bytes.removeFirst()
            bytes.removeLast()
        }
        guard bytes.count <= AddressNormalizer.maxAddressLength, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else {
            return normalizer.normalize(raw)
        }
        var end = bytes.count
        if normalizer.stripPlusTags, let plus = bytes[..<at].firstIndex(of: UInt8(ascii: "+")), plus > 0 {
            end = plus
        }
        var labelStart = at + 1
        for index in (at + 1)..<bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                guard index > labelStart else { return normalizer.normalize(raw) }
                labelStart = index + 1
            } else if isForbiddenInDomain(byte) {
                return normalizer.normalize(raw)
            } else if index == labelStart + 3, byte == UInt8(ascii: "-"), bytes[labelStart + 2] == UInt8(ascii: "-"),
                      bytes[labelStart] | 0x20 == UInt8(ascii: "x"), bytes[labelStart + 1] | 0x20 == UInt8(ascii: "n") {
                return normalizer.normalize(raw)
            }
        }
        guard labelStart < bytes.count else { return normalizer.normalize(raw) }
        var address: [UInt8] = []
        address.reserveCapacity(bytes.count)
        for index in bytes.indices where index < end || index >= at {
            let byte = bytes[index]
            address.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return String(decoding: address, as: UTF8.self)
    }

    private static func isForbiddenInDomain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: "\""):
            return true
        default:
            return false
        }
    }

    /// Reply and forward prefixes in the languages our users write in, compared lowercased.
    static let prefixes: Set<String> = [
        "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "antwort", "tr", "rif", "r", "i", "enc", "res",
        "odp", "pd", "ynt", "vá", "továbbítás", "doorst", "rv", "ref",
        "ответ", "отв", "пересл", "переслать", "回复", "回覆", "答复", "转发", "轉寄", "转寄", "返信", "転送",
        "답장", "전달", "fs", "vl", "απ", "σχετ", "πρθ", "پاسخ", "رد", "השב",
    ]

    /// Lowercased, whitespace collapsed, leading `Re:`/`Fwd:`/`AW:`/`Ответ:`/`回复：`… removed,
    /// including counted forms like `Re[2]:` and `Re(3):`.
    public static func normalizeSubject(_ subject: String) -> String {
        normalize(subject).text
    }

    private static func normalize(_ subject: String) -> (text: String, strippedPrefix: Bool) {
        let collapsed = collapsedLowercase(subject)
        if collapsed.utf8.allSatisfy({ $0 < 0x80 }) { return strippingASCIIPrefixes(collapsed) }
        var rest = Substring(collapsed)
        for _ in 0..<maxPrefixes {
            guard let colon = rest.firstIndex(where: { $0 == ":" || $0 == "：" }) else { break }
            var word = rest[..<colon].trimmingWhitespace()
            if let open = word.firstIndex(where: { $0 == "[" || $0 == "(" }),
               word.last == "]" || word.last == ")",
               word[word.index(after: open)..<word.index(before: word.endIndex)].allSatisfy(\.isNumber) {
                word = word[..<open]
            }
            guard prefixes.contains(String(word)) else { break }
            rest = rest[rest.index(after: colon)...].trimmingWhitespace()
        }
        return (String(rest), rest.startIndex != collapsed.startIndex)
    }

    /// The same loop over the bytes of an ASCII subject (the Unicode prefixes and the full-width
    /// colon cannot occur in one).
    private static func strippingASCIIPrefixes(_ collapsed: String) -> (text: String, strippedPrefix: Bool) {
        let bytes = Array(collapsed.utf8)
        var start = 0
        for _ in 0..<maxPrefixes {
            guard let colon = bytes[start...].firstIndex(of: UInt8(ascii: ":")) else { break }
            var word = bytes[start..<colon]
            while word.last == 0x20 { word = word.dropLast() }
            if let open = word.firstIndex(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "(") }),
               word.last == UInt8(ascii: "]") || word.last == UInt8(ascii: ")"),
               word[(open + 1)..<(word.endIndex - 1)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                word = word[..<open]
            }
            guard word.count <= 16, prefixes.contains(String(decoding: word, as: UTF8.self)) else { break }
            start = colon + 1
            while start < bytes.count, bytes[start] == 0x20 { start += 1 }
        }
        guard start > 0 else { return (collapsed, false) }
        return (String(decoding: bytes[start...], as: UTF8.self), true)
    }

    /// Whitespace runs as one space, no outer whitespace, lowercased. ASCII subjects (most of them)
    /// take one pass over the bytes instead of grapheme splitting and Unicode case mapping.
    private static func collapsedLowercase(_ text: String) -> String {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            return text.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func cleanID(_ id: String) -> String {
        var text = Substring(id).trimmingWhitespace()
        if text.hasPrefix("<") { text = text.dropFirst() }
        if text.hasSuffix(">") { text = text.dropLast() }
        return String(text.trimmingWhitespace())
    }
}
