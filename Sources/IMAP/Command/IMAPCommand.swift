/// One command ready to send. `segments` are sent in order; between two segments the client
/// waits for the server's `+` continuation (a synchronizing literal, RFC 3501 §7.5).
struct IMAPCommand: Sendable {
    let tag: String
    /// Verb for logs and errors, e.g. "UID FETCH" (never arguments: they may be private).
    let name: String
    let segments: [[UInt8]]
}

/// Builds a command so that injection is impossible by construction: every argument goes
/// through a function that validates or quotes it, and CR, LF and NUL are refused anywhere
/// (DESIGN §9). Arguments are astrings written as an atom when safe, a quoted string when
/// printable ASCII, and a literal otherwise (8-bit bytes).
struct CommandBuilder {
    private let tag: String
    private let name: String
    private let literalPlus: Bool
    private var segments: [[UInt8]] = []
    private var current: [UInt8]

    /// - Parameter literalPlus: the server announced LITERAL+ (RFC 7888), so literals need no
    ///   round trip.
    init(tag: String, name: String, literalPlus: Bool = false) {
        self.tag = tag
        self.name = name
        self.literalPlus = literalPlus
        current = Array(tag.utf8) + [UInt8(ascii: " ")] + Array(name.utf8)
    }

    /// Sequence sets, fetch item lists, keywords: text this code writes itself. Still checked.
    mutating func raw(_ text: String) throws(IMAPError) {
        let bytes = Array(text.utf8)
        try Self.refuseLineBreaks(bytes, argument: name)
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw IMAPError(.invalidArgument("non-ASCII protocol text in \(name)"), command: name)
        }
        current.append(UInt8(ascii: " "))
        current += bytes
    }

    mutating func astring(_ bytes: [UInt8]) throws(IMAPError) {
        try Self.refuseLineBreaks(bytes, argument: name)
        current.append(UInt8(ascii: " "))
        if !bytes.isEmpty && bytes.allSatisfy(Self.isAtomSafe) {
            current += bytes
        } else if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            current.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { current.append(UInt8(ascii: "\\")) }
                current.append(byte)
            }
            current.append(UInt8(ascii: "\""))
        } else if literalPlus {
            current += Array("{\(bytes.count)+}\r\n".utf8)
            current += bytes
        } else {
            current += Array("{\(bytes.count)}\r\n".utf8)
            segments.append(current)
            current = bytes
        }
    }

    mutating func string(_ text: String) throws(IMAPError) { try astring(Array(text.utf8)) }

    mutating func mailbox(_ mailbox: MailboxName) throws(IMAPError) { try astring(mailbox.wire) }

    func build() -> IMAPCommand {
        IMAPCommand(tag: tag, name: name, segments: segments + [current + [UInt8(ascii: "\r"), UInt8(ascii: "\n")]])
    }

    private static func refuseLineBreaks(_ bytes: [UInt8], argument: String) throws(IMAPError) {
        if bytes.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            throw IMAPError(.invalidArgument("CR, LF or NUL in an argument of \(argument)"), command: argument)
        }
    }

    /// ATOM-CHAR without the list wildcards, so a name is never read as a pattern or flag.
    private static func isAtomSafe(_ byte: UInt8) -> Bool {
        ResponseCursor.isAtomByte(byte) && byte != UInt8(ascii: "]") && byte != UInt8(ascii: "[")
    }
}

extension Array where Element == UID {
    /// Compact sequence set for sorted or unsorted UIDs: `1:5,7,9:12`.
    var imapSequenceSet: String {
        let sorted = Set(self).sorted()
        var pieces: [String] = []
        var index = 0
        while index < sorted.count {
            let start = sorted[index]
            var end = start
            while index + 1 < sorted.count && sorted[index + 1].rawValue == end.rawValue + 1 {
                index += 1
                end = sorted[index]
            }
            pieces.append(start == end ? "\(start)" : "\(start):\(end)")
            index += 1
        }
        return pieces.joined(separator: ",")
    }
}
