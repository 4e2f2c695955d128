import Foundation

/// Everything the pipeline needs that comes from the header block alone. The IMAP pipeline builds
/// it from `BODY.PEEK[HEADER]` without fetching the body.
public struct Envelope: Sendable, Hashable {
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    public var date: Date?
    public var subject: String?
    public var from: [Mailbox]
    public var to: [Mailbox]
    public var cc: [Mailbox]
    public var bcc: [Mailbox]
    public var replyTo: [Mailbox]
    public var sender: [Mailbox]
    public var automated: AutomatedReason?
    public var defects: [String]

    /// `contentType` is the top-level type when known (from BODYSTRUCTURE), for report detection.
    public init(headers: HeaderList, contentType: ContentType? = nil, limits: ParserLimits = .default) {
        self = CharsetConverterPool.shared.withConverter {
            Envelope(headers: headers, contentType: contentType, limits: limits.sanitized, converter: $0)
        }
    }

    init(headers: HeaderList, contentType: ContentType?, limits: ParserLimits, converter: CharsetConverter) {
        var defects: [String] = []
        func addresses(_ name: String) -> [Mailbox] {
            var all: [Mailbox] = []
            for field in headers.fields(named: name) where all.count < limits.maxAddresses {
                all += AddressListParser.parse(field.rawValue, converter: converter, limit: limits.maxAddresses - all.count, defects: &defects)
            }
            return all
        }
        let messageIDField = headers.first(named: "Message-ID")
        messageID = messageIDField.flatMap { MessageIDParser.parseSingle($0.rawValue) }
        if messageIDField != nil, messageID == nil { defects.append("unusable Message-ID") }
        inReplyTo = headers.first(named: "In-Reply-To").map { MessageIDParser.parseList($0.rawValue) } ?? []
        references = headers.first(named: "References").map { MessageIDParser.parseList($0.rawValue) } ?? []
        if let dateField = headers.first(named: "Date") {
            date = dateField.rawValue.withUnsafeBufferPointer { DateParser.parse(bytes: $0) }
            if date == nil { defects.append("unparseable Date \"\(dateField.value.prefix(60))\"") }
        } else {
            date = nil
        }
        subject = headers.first(named: "Subject").map {
            EncodedWords.decode($0.rawValue, converter: converter, defects: &defects)
        }
        from = addresses("From")
        to = addresses("To")
        cc = addresses("Cc")
        bcc = addresses("Bcc")
        replyTo = addresses("Reply-To")
        sender = addresses("Sender")
        if headers.first(named: "From") == nil { defects.append("no From header") }
        automated = AutomatedDetector.detect(headers: headers, contentType: contentType, from: from)
        self.defects = defects
    }
}
