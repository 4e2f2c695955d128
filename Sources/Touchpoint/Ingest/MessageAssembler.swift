import Foundation
import IMAP
import MIME

/// Turns what IMAP fetched (headers, BODYSTRUCTURE, the first text part) into a
/// `CapturedMessage`. Pure: no I/O, so tests feed it fetched values directly.
public struct MessageAssembler: Sendable {
    public var limits: ParserLimits

    public init(limits: ParserLimits = .default) {
        self.limits = limits
    }

    public func assemble(_ fetched: FetchedMessage) -> CapturedMessage {
        var (headers, defects) = HeaderList.parseReportingDefects(fetched.headerBytes, limits: limits)
        let rootType = fetched.bodyStructure.map(Self.contentType)
        let envelope = Envelope(headers: headers, contentType: rootType, limits: limits)
        defects += envelope.defects
        if fetched.headerBytes.isEmpty { defects.append("server returned no header for this message") }
        headers = HeaderList()

        var text = ""
        if let part = fetched.firstTextPart {
            let flowed = fetched.bodyStructure?.part(at: part.section)?.parameters.value(of: "format")?.lowercased() == "flowed"
            let delSp = fetched.bodyStructure?.part(at: part.section)?.parameters.value(of: "delsp")?.lowercased() == "yes"
            let decoded = TextPartDecoder.decode(part.bytes, transferEncoding: part.transferEncoding, charset: part.charset,
                                                 subtype: part.subtype, flowed: flowed, delSp: delSp, truncated: part.truncated)
            text = decoded.text
            // Truncation is by design here (we fetch only a prefix): not a defect of the message.
            defects += decoded.defects.filter { !$0.hasPrefix("truncated") }
        }

        let date = envelope.date ?? fetched.internalDate.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSince1970)) }
        let identity = envelope.messageID ?? Self.fallbackIdentity(date: envelope.date, from: envelope.from,
                                                                    subject: envelope.subject, text: text)
        return CapturedMessage(
            uid: fetched.uid.rawValue, identity: identity, messageID: envelope.messageID, inReplyTo: envelope.inReplyTo,
            references: envelope.references, date: date, subject: envelope.subject, from: envelope.from,
            sender: envelope.sender, to: envelope.to, cc: envelope.cc, bcc: envelope.bcc, replyTo: envelope.replyTo,
            snippet: Snippet.make(from: text), size: Int(clamping: fetched.size),
            attachments: fetched.bodyStructure.map(Self.attachments) ?? [], automated: envelope.automated,
            defects: defects)
    }

    /// A stable identity for a message without Message-ID: the same message fetched from two
    /// mailboxes hashes the same, so it is still stored once.
    static func fallbackIdentity(date: Date?, from: [Mailbox], subject: String?, text: String) -> String {
        var hasher = SHA256()
        hasher.update(date.map { String(Int64($0.timeIntervalSince1970)) } ?? "-")
        hasher.update("\u{0}")
        hasher.update(from.map { $0.address.lowercased() }.joined(separator: ","))
        hasher.update("\u{0}")
        hasher.update(subject ?? "")
        hasher.update("\u{0}")
        hasher.update(String(String.UnicodeScalarView(text.unicodeScalars.lazy.filter { !$0.properties.isWhitespace }.prefix(512))))
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func contentType(_ structure: BodyStructure) -> ContentType {
        switch structure {
        case .singlePart(let part):
            return ContentType(type: part.mediaType, subtype: part.subtype, parameters: Dictionary(
                part.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
        case .multipart(let multipart):
            return ContentType(type: "multipart", subtype: multipart.subtype, parameters: Dictionary(
                multipart.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    static func attachments(_ structure: BodyStructure) -> [CapturedMessage.Attachment] {
        let textPath = structure.firstTextPart()?.path
        return structure.leafParts().compactMap { path, part in
            guard path != textPath else { return nil }
            let filename = BodyParameters.filename(
                disposition: (part.disposition?.parameters ?? []).map { ($0.name, $0.value) },
                contentType: part.parameters.map { ($0.name, $0.value) })
            let isBodyAlternative = part.mediaType == "text" && filename == nil && !part.isAttachment
            guard !isBodyAlternative else { return nil }
            return CapturedMessage.Attachment(filename: filename, contentType: "\(part.mediaType)/\(part.subtype)",
                                              size: decodedSize(encoded: part.size, encoding: part.encoding))
        }
    }

    /// Base64 carries 3 bytes in 4 characters plus a CRLF every 76; QP is close to 1:1 for the
    /// binary-ish content that gets attached. Exact sizes would need the bytes, which we never fetch.
    static func decodedSize(encoded: UInt64, encoding: String) -> Int {
        let size = Int(clamping: encoded)
        switch encoding.lowercased() {
        case "base64": return size * 76 / 78 * 3 / 4
        default: return size
        }
    }
}
