/// One node of a parsed MIME tree. Bodies are not copied: `bodyRange` indexes the parsed input.
public struct MIMEPart: Sendable {
    public var headers: HeaderList
    public var contentType: ContentType
    /// True when the part had no usable Content-Type and got the default of its context.
    public var contentTypeDefaulted: Bool
    public var transferEncoding: TransferEncoding
    /// Lowercased disposition token ("inline", "attachment"), if any.
    public var disposition: String?
    /// Decoded filename from Content-Disposition `filename` or Content-Type `name`.
    public var filename: String?
    /// Offsets of the encoded body in the input given to the parser.
    public var bodyRange: Range<Int>
    /// Multipart children, or the one embedded message of a message/rfc822 part.
    public var children: [MIMEPart]
    /// Of a multipart: the text before the first and after the closing delimiter (RFC 2046 §5.1.1),
    /// offsets in the input; nil when absent.
    public var preambleRange: Range<Int>? = nil
    public var epilogueRange: Range<Int>? = nil
    public var depth: Int
    /// Position in the tree: "" for the root, "1", "1.2", … (embedded messages add no level).
    public var path: String

    public var isAttachmentLike: Bool {
        if contentType.isMultipart { return false }
        if disposition == "attachment" || filename != nil { return true }
        return !(contentType.type == "text" && (contentType.subtype == "plain" || contentType.subtype == "html"))
    }

    /// Leaves in document order, not descending into embedded messages.
    public func leaves(intoEmbeddedMessages: Bool = false) -> [MIMEPart] {
        var out: [MIMEPart] = []
        collectLeaves(into: &out, intoEmbedded: intoEmbeddedMessages)
        return out
    }

    private func collectLeaves(into out: inout [MIMEPart], intoEmbedded: Bool) {
        if contentType.isMultipart, !children.isEmpty {
            for child in children { child.collectLeaves(into: &out, intoEmbedded: intoEmbedded) }
        } else if contentType.isEmbeddedMessage, intoEmbedded, let message = children.first {
            message.collectLeaves(into: &out, intoEmbedded: intoEmbedded)
        } else {
            out.append(self)
        }
    }
}
