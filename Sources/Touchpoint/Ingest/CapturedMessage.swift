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
        // Works on Unicode scalars with an ASCII fast path: Character-level iteration (grapheme
        // breaking, property lookups) dominated the ingest profile. Lines are found by scanning
        // UTF-8 bytes for LF and the scan stops as soon as the snippet is full.
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(limit + 2)
        var lastSpace: Int?
        var pendingSpace = false
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        while lineStart < utf8.endIndex {
            let lineEnd = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
            let line = text[lineStart..<lineEnd].unicodeScalars
            lineStart = lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd)
            let content = line.drop { $0 == " " || $0 == "\t" }
            if content.first == ">" { continue }
            if content.elementsEqual("--".unicodeScalars) || content.elementsEqual("-- ".unicodeScalars)
                || content.elementsEqual("--\r".unicodeScalars) || content.elementsEqual("-- \r".unicodeScalars) {
                break
            }
            for scalar in content {
                if isSpace(scalar) {
                    pendingSpace = !out.isEmpty
                    continue
                }
                if pendingSpace {
                    lastSpace = out.count
                    out.append(" ")
                    pendingSpace = false
                }
                if out.count >= limit - 1 {
                    if let lastSpace { return String(String.UnicodeScalarView(out[..<lastSpace])) + " …" }
                    return String(String.UnicodeScalarView(out[..<(limit - 1)])) + "…"
                }
                out.append(scalar)
            }
            pendingSpace = !out.isEmpty
        }
        return String(String.UnicodeScalarView(out))
    }

    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return scalar.properties.isWhitespace
    }
}
