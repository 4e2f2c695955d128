/// A mailbox name as it travels on the wire (modified UTF-7, RFC 3501 §5.1.3) together with
/// its human-readable form. Equality is on the wire bytes, except that INBOX is
/// case-insensitive (RFC 3501 §5.1).
public struct MailboxName: Hashable, Sendable, CustomStringConvertible {
    /// The bytes the server uses for this mailbox; what goes back into commands unchanged.
    public let wire: [UInt8]

    /// Builds a name from the text a person or config file gives; non-ASCII is encoded to
    /// modified UTF-7 so it can be sent to any server.
    public init(_ displayName: String) {
        if displayName.uppercased() == "INBOX" {
            self.wire = Array("INBOX".utf8)
        } else {
            self.wire = ModifiedUTF7.encode(displayName)
        }
    }

    /// Wraps the exact bytes a server sent (LIST, STATUS).
    public init(wire: [UInt8]) {
        if wire.count == 5, String(decoding: wire, as: UTF8.self).uppercased() == "INBOX" {
            self.wire = Array("INBOX".utf8)
        } else {
            self.wire = wire
        }
    }

    public static let inbox = MailboxName(wire: Array("INBOX".utf8))

    public var isInbox: Bool { wire == MailboxName.inbox.wire }

    /// The decoded name; a name that is not valid modified UTF-7 (some servers send raw UTF-8)
    /// is shown as UTF-8 with replacement characters rather than rejected.
    public var displayName: String {
        (try? ModifiedUTF7.decode(wire)) ?? String(decoding: wire, as: UTF8.self)
    }

    public var description: String { displayName }
}
