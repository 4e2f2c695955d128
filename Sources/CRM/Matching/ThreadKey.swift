/// Thread identity for the interaction log: replies carry their conversation's root Message-ID in
/// References (or at least In-Reply-To); when a client dropped both, the normalised subject and the
/// participants are the best key left. The store may map a subject key onto a recent thread with the
/// same key (the "window"); this type only computes keys.
public enum ThreadKey {
    /// Bounds the work on hostile subjects.
    static let maxPrefixes = 20

    /// `msg:<root id>` when the message has ids to go by, else `subj:<hash>`.
    public static func threadID(messageID: String?, inReplyTo: [String], references: [String],
                                subject: String?, participants: [String], normalizer: AddressNormalizer) -> String {
        if let root = (references + inReplyTo).lazy.map(cleanID).first(where: { !$0.isEmpty }) {
            return "msg:" + root
        }
        // A message starting a conversation is its own root, as its replies will say, unless its
        // subject shows it is a reply whose client dropped the references.
        let normalized = normalizeSubject(subject ?? "")
        let looksLikeReply = normalized != collapse(subject ?? "").lowercased()
        if let own = messageID.map(cleanID), !own.isEmpty, !looksLikeReply {
            return "msg:" + own
        }
        return subjectKey(subject: subject ?? "", participants: participants, normalizer: normalizer)
    }

    /// `subj:` + a stable 64-bit FNV-1a hash of the normalised subject and the sorted participants.
    public static func subjectKey(subject: String, participants: [String], normalizer: AddressNormalizer) -> String {
        let people = Set(participants.compactMap(normalizer.normalize)).sorted()
        let material = normalizeSubject(subject) + "\n" + people.joined(separator: ",")
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in material.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "subj:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Reply and forward prefixes in the languages our users write in, compared lowercased.
    static let prefixes: Set<String> = [
        "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "antwort", "tr", "rif", "r", "i", "enc", "res",
        "odp", "pd", "ynt", "vá", "továbbítás", "doorst", "rv", "ref",
        "ответ", "отв", "пересл", "переслать", "回复", "回覆", "答复", "转发", "轉寄", "转寄", "返信", "転送",
        "답장", "전달", "fs", "vl",
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
