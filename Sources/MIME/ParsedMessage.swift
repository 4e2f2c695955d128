import Foundation

/// Metadata of one attachment. The bytes are not kept: `bodyRange` and `transferEncoding` let a
/// caller that still holds the input decode them when it really needs to.
public struct AttachmentInfo: Sendable, Hashable {
    public var filename: String?
    /// Lowercased "type/subtype".
    public var contentType: String
    /// Decoded size in bytes.
    public var size: Int
    public var transferEncoding: TransferEncoding
    /// Encoded bytes in the parsed input (for uuencoded blocks: offsets in the decoded text part).
    public var bodyRange: Range<Int>
    public var partPath: String

    public init(filename: String?, contentType: String, size: Int, transferEncoding: TransferEncoding = .binary,
                bodyRange: Range<Int> = 0..<0, partPath: String = "") {
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.transferEncoding = transferEncoding
        self.bodyRange = bodyRange
        self.partPath = partPath
    }
}

/// The result of parsing one message: never fails; what could not be read is listed in `defects`.
public struct ParsedMessage: Sendable {
    public var envelope: Envelope
    public var headers: HeaderList { root.headers }
    public var root: MIMEPart
    /// The first non-blank, non-attachment text/plain part, else the first text/html converted to
    /// text; when the message itself has neither (a bare forward), the same from embedded messages.
    public var text: String?
    public var attachments: [AttachmentInfo]
    public var defects: [String]

    public var messageID: String? { envelope.messageID }
    public var inReplyTo: [String] { envelope.inReplyTo }
    public var references: [String] { envelope.references }
    public var date: Date? { envelope.date }
    public var subject: String? { envelope.subject }
    public var from: [Mailbox] { envelope.from }
    public var to: [Mailbox] { envelope.to }
    public var cc: [Mailbox] { envelope.cc }
    public var bcc: [Mailbox] { envelope.bcc }
    public var replyTo: [Mailbox] { envelope.replyTo }
    public var sender: [Mailbox] { envelope.sender }
    public var automated: AutomatedReason? { envelope.automated }
}
