import Foundation
import MIME

/// What the pipeline keeps of one fetched message: everything the CRM needs, nothing more
/// (no attachment bytes, no full body).
public struct CapturedMessage: Sendable {
    public struct Attachment: Sendable, Hashable {
        public var filename: String?
        public var contentType: String
        /// Decoded size; estimated from the encoded size for base64/quoted-printable parts,
        /// whose bytes are never downloaded.
        public var size: Int
    }

    public var uid: UInt32
    /// Message-ID without brackets, or `sha256:<hex>` over Date, From, Subject and the first
    /// text bytes when the message has none (DESIGN §4).
    public var identity: String
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    /// The Date header, else the server's arrival time.
    public var date: Date?
    public var subject: String?
    public var from: [Mailbox]
    public var sender: [Mailbox]
    public var to: [Mailbox]
    public var cc: [Mailbox]
    public var bcc: [Mailbox]
    public var replyTo: [Mailbox]
    public var snippet: String
    public var size: Int
    public var attachments: [Attachment]
    public var automated: AutomatedReason?
    public var defects: [String]
}

/// Builds a short, readable preview: whitespace collapsed, quoted replies and signature
/// separators dropped, cut at a word boundary.
public enum Snippet {
    public static let maximumCharacters = 280

    public static func make(from text: String, limit: Int = maximumCharacters) -> String {
        var words: [Substring] = []
        var length = 0
        // Lines are found by scanning UTF-8 bytes for LF, lazily: the text may be 64 KiB and the
        // snippet needs only its first few hundred characters.
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            var line = text[lineStart..<lineEnd]
            lineStart = lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd)
            if line.last == "\r" { line = line.dropLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix(">") { continue }
            if trimmed == "-- " || trimmed == "--" { break }
            // Words are cut by hand so the scan stops at the limit instead of splitting a long line.
            var wordStart: Substring.Index?
            var index = trimmed.startIndex
            while index <= trimmed.endIndex {
                let atEnd = index == trimmed.endIndex
                if atEnd || trimmed[index].isWhitespace {
                    if let start = wordStart {
                        let word = trimmed[start..<index]
                        if length + word.count + 1 > limit {
                            if words.isEmpty { return String(word.prefix(limit - 1)) + "…" }
                            return words.joined(separator: " ") + " …"
                        }
                        words.append(word)
                        length += word.count + 1
                        wordStart = nil
                    }
                } else if wordStart == nil {
                    wordStart = index
                }
                if atEnd { break }
                index = trimmed.index(after: index)
            }
        }
        return words.joined(separator: " ")
    }
}
