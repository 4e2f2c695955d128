/// One address from a message header, as written.
public struct MailParty: Hashable, Sendable {
    public var address: String
    public var displayName: String?

    public init(address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }
}

/// What the matcher needs to know about a message: who took part, and whether the parser judged it
/// automated (and why). Plain values, so the matcher does not depend on the MIME module's types.
public struct MessageParties: Hashable, Sendable {
    public var from: [MailParty]
    public var sender: MailParty?
    public var to: [MailParty]
    public var cc: [MailParty]
    public var bcc: [MailParty]
    public var replyTo: [MailParty]
    /// e.g. "auto-submitted", "list-id", "bounce"; nil for mail written by a person.
    public var automatedReason: String?

    public init(from: [MailParty] = [], sender: MailParty? = nil, to: [MailParty] = [], cc: [MailParty] = [],
                bcc: [MailParty] = [], replyTo: [MailParty] = [], automatedReason: String? = nil) {
        self.from = from
        self.sender = sender
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.automatedReason = automatedReason
    }
}
