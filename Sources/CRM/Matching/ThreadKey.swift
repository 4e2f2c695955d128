/// Thread identity for the interaction log: replies carry their conversation's root Message-ID in
/// References (or at least In-Reply-To), and a message starting a conversation is the root its
/// replies will name. When a client dropped both headers, the normalised subject and the
/// participants are the best key left: the store maps such a message onto the thread of the
/// nearest message with the same key inside a time window (`thread-window`). This type only
/// computes identities and keys; the window needs the stored messages, so it lives in the store.
public enum ThreadKey {
    /// Bounds the work on hostile subjects.
    static let maxPrefixes = 20

    /// The thread the headers decide: `msg:<root id>` from References/In-Reply-To, or `msg:<own id>`
    /// for a message that starts a conversation. Nil when only the subject key can tell: a reply
    /// whose client dropped the references (its subject says it is a reply), or a message without
    /// a Message-ID (nothing can ever refer to it).
    public static func headerThreadID(messageID: String?, inReplyTo: [String], references: [String], subject: String?) -> String? {
        if let root = (references + inReplyTo).lazy.map(cleanID).first(where: { !$0.isEmpty }) {
            return "msg:" + root
        }
        guard let own = messageID.map(cleanID), !own.isEmpty, !looksLikeReply(subject ?? "") else { return nil }
        return "msg:" + own
    }

    /// A reply or forward prefix was stripped from the subject.
    public static func looksLikeReply(_ subject: String) -> Bool {
        normalizeSubject(subject) != collapse(subject).lowercased()
    }

    /// A stable 64-bit FNV-1a hash of the normalised subject and the sorted, normalised participants,
    /// so `Re: Quote` from b to a keys like `Quote` from a to b. Stable across releases: stored keys
    /// are compared with the keys of mail synced later.
    public static func subjectKey(subject: String, participants: [String], normalizer: AddressNormalizer) -> Int64 {
        let people = Set(participants.compactMap(normalizer.normalize)).sorted()
        let material = normalizeSubject(subject) + "\n" + people.joined(separator: ",")
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in material.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0100_0000_01B3
        }
        return Int64(bitPattern: hash)
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
        var rest = Substring(collapse(subject).lowercased())
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
        return String(rest)
    }

    private static func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func cleanID(_ id: String) -> String {
        var text = Substring(id).trimmingWhitespace()
        if text.hasPrefix("<") { text = text.dropFirst() }
        if text.hasSuffix(">") { text = text.dropLast() }
        return String(text.trimmingWhitespace())
    }
}
