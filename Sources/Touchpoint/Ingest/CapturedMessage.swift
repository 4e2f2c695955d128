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

    /// Works on the UTF-8 bytes and counts Unicode scalars: Character-level iteration (grapheme
    /// breaking) and building the result scalar by scalar dominated the ingest profile. Only
    /// non-ASCII scalars are decoded, to ask whether they are whitespace. The scan stops as soon
    /// as the snippet is full. `makeByScalars` is the definition this must agree with.
    public static func make(from text: String, limit: Int = maximumCharacters) -> String {
        var text = text
        return text.withUTF8 { make(utf8: $0, limit: limit) }
    }

    private static func make(utf8 bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, limit * 4 + 8))
        var scalarCount = 0
        var lastSpace: Int?  // byte offset in `out` of the last space put between words
        var pendingSpace = false
        let end = bytes.count
        var lineStart = 0
        while lineStart < end {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? end
            let next = lineEnd == end ? end : lineEnd + 1
            var position = lineStart
            while position < lineEnd, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") { position += 1 }
            lineStart = next
            if position < lineEnd, bytes[position] == UInt8(ascii: ">") { continue }
            if isSignatureSeparator(bytes, position, lineEnd) { break }
            while position < lineEnd {
                let lead = bytes[position]
                let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                // A visible ASCII character, the common case, is never a space: no decoding.
                let visibleASCII = lead < 0x80 && lead > 0x20
                if !visibleASCII, isSpace(bytes, at: position, length: length) {
                    pendingSpace = scalarCount > 0
                    position += length
                    continue
                }
                if pendingSpace {
                    lastSpace = out.count
                    out.append(UInt8(ascii: " "))
                    scalarCount += 1
                    pendingSpace = false
                }
                if scalarCount >= limit - 1 { return finish(out, lastSpace) }
                if length == 1 {
                    out.append(lead)
                } else {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<(position + length)]))
                }
                scalarCount += 1
                position += length
            }
            pendingSpace = scalarCount > 0
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The full snippet: cut at the last space taken in, else after `limit - 1` scalars (which,
    /// with no space taken in, is all of `out`).
    private static func finish(_ out: [UInt8], _ lastSpace: Int?) -> String {
        let kept = lastSpace.map { out[..<$0] } ?? out[...]
        return String(decoding: kept, as: UTF8.self) + (lastSpace == nil ? "…" : " …")
    }

    /// "--", "-- ", "--\r" or "-- \r" alone on the line.
    private static func isSignatureSeparator(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard end - start >= 2, bytes[start] == UInt8(ascii: "-"), bytes[start + 1] == UInt8(ascii: "-") else { return false }
        var rest = start + 2
        if rest < end, bytes[rest] == UInt8(ascii: " ") { rest += 1 }
        if rest < end, bytes[rest] == UInt8(ascii: "\r") { rest += 1 }
        return rest == end
    }

    @inline(__always)
    private static func isSpace(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, length: Int) -> Bool {
        let lead = bytes[position]
        if length == 1 { return lead == 0x20 || (lead >= 0x09 && lead <= 0x0D) }
        var value = UInt32(lead) & (0x7F >> UInt32(length))
        for offset in 1..<length { value = value << 6 | UInt32(bytes[position + offset] & 0x3F) }
        return isWhitespaceBeyondASCII(value)
    }

    /// Unicode's White_Space beyond ASCII, spelled out: the property lookup cost more than the
    /// rest of the snippet. A test compares this with the runtime's table for every scalar.
    static func isWhitespaceBeyondASCII(_ value: UInt32) -> Bool {
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The scalar-level definition the byte path above must agree with (kept for the tests).
    static func makeByScalars(from text: String, limit: Int = maximumCharacters) -> String {
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
                if scalar.value < 0x80 ? (scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D)) : scalar.properties.isWhitespace {
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
}
