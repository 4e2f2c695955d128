import Foundation

/// Why an outgoing message could not be built. Values are echoed with control characters escaped so
/// an error message can never smuggle a line break into a log.
public enum MessageBuildError: Error, Equatable, CustomStringConvertible {
    /// CR, LF or NUL in a header value or address: refused, never stripped (header injection).
    case forbiddenCharacter(field: String)
    case invalidAddress(field: String, address: String)
    case invalidHeaderName(String)
    case noRecipients

    public var description: String {
        switch self {
        case .forbiddenCharacter(let field): "header \(field) contains CR, LF or NUL"
        case .invalidAddress(let field, let address): "header \(field): not a usable address: \(address.debugDescription)"
        case .invalidHeaderName(let name): "invalid header name \(name.debugDescription)"
        case .noRecipients: "message has no recipients"
        }
    }
}

/// Builds outgoing mail (reminder digests): UTF-8 headers encoded per RFC 2047 where needed, RFC 5322
/// Date and Message-ID, text or text + HTML alternative, CRLF line ends only, lines ≤ 78 characters
/// where the content allows and never over 998.
public struct MessageBuilder: Sendable {
    public enum BodyEncoding: Sendable { case quotedPrintable, base64 }

    public var from: Mailbox
    public var to: [Mailbox]
    public var cc: [Mailbox] = []
    public var replyTo: [Mailbox] = []
    public var subject: String
    public var text: String
    public var html: String?
    public var date: Date
    /// Domain of the generated Message-ID (usually the sender's).
    public var messageIDDomain: String
    /// A fixed Message-ID (without brackets); generated when nil.
    public var messageID: String?
    public var bodyEncoding: BodyEncoding = .quotedPrintable
    /// Extra fields, e.g. ("Auto-Submitted", "auto-generated") so replies and loops are avoided.
    public var extraHeaders: [(name: String, value: String)] = []

    public init(from: Mailbox, to: [Mailbox], subject: String, text: String, html: String? = nil,
                date: Date = Date(), messageIDDomain: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageIDDomain = messageIDDomain
    }

    /// The message bytes and the Message-ID used (without angle brackets).
    public func build() throws -> (bytes: [UInt8], messageID: String) {
        guard !to.isEmpty || !cc.isEmpty else { throw MessageBuildError.noRecipients }
        let id = messageID ?? Self.generateMessageID(domain: messageIDDomain)
        try Self.checkValue(id, field: "Message-ID")
        try Self.checkValue(messageIDDomain, field: "Message-ID")
        var out = HeaderWriter()
        out.field("Date", DateParser.rfc5322(date))
        try out.addressField("From", [from])
        if !to.isEmpty { try out.addressField("To", to) }
        if !cc.isEmpty { try out.addressField("Cc", cc) }
        if !replyTo.isEmpty { try out.addressField("Reply-To", replyTo) }
        try Self.checkValue(subject, field: "Subject")
        out.unstructured("Subject", subject)
        out.field("Message-ID", "<\(id)>")
        out.field("MIME-Version", "1.0")
        for (name, value) in extraHeaders {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != ASCII.colon }) else {
                throw MessageBuildError.invalidHeaderName(name)
            }
            try Self.checkValue(value, field: name)
            out.unstructured(name, value)
        }
        let cte = bodyEncoding == .base64 ? "base64" : "quoted-printable"
        if let html {
            let boundary = "=_tp_" + Self.randomHex(16)  // "=_" cannot occur in QP or base64 output
            out.field("Content-Type", "multipart/alternative; boundary=\"\(boundary)\"")
            out.blankLine()
            out.raw("This is a multi-part message in MIME format.\r\n")
            for (subtype, body) in [("plain", text), ("html", html)] {
                out.raw("--\(boundary)\r\n")
                out.field("Content-Type", "text/\(subtype); charset=utf-8")
                out.field("Content-Transfer-Encoding", cte)
                out.blankLine()
                out.bytes += encodeBody(body)
                out.raw("\r\n")
            }
            out.raw("--\(boundary)--\r\n")
        } else {
            out.field("Content-Type", "text/plain; charset=utf-8")
            out.field("Content-Transfer-Encoding", cte)
            out.blankLine()
            let body = encodeBody(text)
            out.bytes += body
            // End the last line without adding content: base64 ignores it; QP gets a soft break.
            if body.last != ASCII.lf { out.raw(bodyEncoding == .base64 ? "\r\n" : "=\r\n") }
        }
        return (out.bytes, id)
    }

    private func encodeBody(_ body: String) -> [UInt8] {
        switch bodyEncoding {
        case .quotedPrintable: return QuotedPrintable.encode(Array(body.utf8))
        case .base64: return Base64.encode(Array(body.utf8))
        }
    }

    static func checkValue(_ value: String, field: String) throws {
        if value.utf8.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf || $0 == 0 }) {
            throw MessageBuildError.forbiddenCharacter(field: field)
        }
    }

    static func generateMessageID(domain: String) -> String {
        "\(Int(Date().timeIntervalSince1970)).\(randomHex(16))@\(domain)"
    }

    static func randomHex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int(generator.next() % 16)] })
    }
}

/// Writes header fields with folding (RFC 5322 §2.2.3) and RFC 2047 encoding.
struct HeaderWriter {
    var bytes: [UInt8] = []
    static let preferredLineLength = 78

    mutating func raw(_ s: String) { bytes += Array(s.utf8) }
    mutating func blankLine() { raw("\r\n") }

    /// A field whose value is already ASCII and short (generated by us).
    mutating func field(_ name: String, _ value: String) { raw("\(name): \(value)\r\n") }

    /// Unstructured text: plain when printable ASCII, else UTF-8 encoded-words; folded at spaces.
    mutating func unstructured(_ name: String, _ value: String) {
        let needsEncoding = value.utf8.contains { $0 >= 0x7F || ($0 < 32 && $0 != ASCII.tab) } || value.contains("=?")
        let tokens = needsEncoding ? EncodedWordWriter.words(value) : value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        writeFolded(name, tokens)
    }

    mutating func addressField(_ name: String, _ list: [Mailbox]) throws {
        var tokens: [String] = []
        for (index, mailbox) in list.enumerated() {
            try MessageBuilder.checkValue(mailbox.address, field: name)
            if let display = mailbox.name { try MessageBuilder.checkValue(display, field: name) }
            let address = mailbox.address
            let bytes = Array(address.utf8)
            guard let at = bytes.lastIndex(of: 64), at > 0, at < bytes.count - 1,
                  bytes.allSatisfy({ $0 > 32 && $0 < 127 && $0 != 60 && $0 != 62 && $0 != 44 && $0 != 40 && $0 != 41 && $0 != ASCII.semicolon })
            else { throw MessageBuildError.invalidAddress(field: name, address: address) }
            var words: [String] = []
            if let display = mailbox.name, !display.isEmpty {
                if display.utf8.contains(where: { $0 >= 0x7F || $0 < 32 }) || display.contains("=?") {
                    words = EncodedWordWriter.words(display)
                } else if display.utf8.allSatisfy({ Self.isAtext($0) || $0 == ASCII.space }) {
                    words = display.split(separator: " ").map(String.init)
                } else {
                    words = ["\"" + display.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""]
                }
            }
            words.append("<\(address)>")
            if index < list.count - 1 { words[words.count - 1] += "," }
            tokens += words
        }
        writeFolded(name, tokens)
    }

    /// Joins tokens with single spaces, breaking the line before a token that would pass 78 columns.
    private mutating func writeFolded(_ name: String, _ tokens: [String]) {
        var line = "\(name):"
        for token in tokens {
            // Folding right after the colon is allowed (the field body may start with FWS).
            if line.utf8.count + 1 + token.utf8.count > Self.preferredLineLength, !line.isEmpty {
                raw(line + "\r\n")
                line = ""
            }
            line += " " + token
        }
        raw(line + "\r\n")
    }

    static func isAtext(_ b: UInt8) -> Bool {
        switch b {
        case 48...57, 65...90, 97...122: return true
        default: return "!#$%&'*+-/=?^_`{|}~".utf8.contains(b)
        }
    }
}

/// RFC 2047 encoded-words for UTF-8 text: base64, each word at most 75 characters, split only
/// between Unicode scalars (never inside a UTF-8 sequence), so any decoder can decode each word alone.
enum EncodedWordWriter {
    /// 56 base64 characters + "=?UTF-8?B?" + "?=" = 68 ≤ 75, so "Reply-To: " plus one word fits in 78.
    static let maxPayloadBytes = 42

    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            var encoded: [UInt8] = []
            UTF8.encode(scalar) { encoded.append($0) }
            if chunk.count + encoded.count > maxPayloadBytes {
                words.append(word(chunk))
                chunk.removeAll()
            }
            chunk += encoded
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + String(decoding: Base64.encode(bytes, lineLength: 0), as: UTF8.self) + "?="
    }
}
