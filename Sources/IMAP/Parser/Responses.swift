/// A parsed server response (RFC 3501 §7, RFC 9051 §7).
public enum IMAPResponse: Sendable, Equatable {
    case untagged(UntaggedResponse)
    case tagged(TaggedStatus)
    /// `+ text`: the server waits for a literal, an IDLE `DONE` or SASL data.
    case continuation(text: String)
}

public enum ResponseCondition: String, Sendable, Equatable {
    case ok = "OK", no = "NO", bad = "BAD", preauth = "PREAUTH", bye = "BYE"
}

/// The final status of one command: its tag, OK/NO/BAD, an optional response code and text.
public struct TaggedStatus: Sendable, Equatable {
    public var tag: String
    public var condition: ResponseCondition
    public var code: ResponseCode?
    public var text: String
}

/// A status response not tied to a command (`* OK [UIDNEXT 5]`, `* BYE`).
public struct UntaggedStatus: Sendable, Equatable {
    public var condition: ResponseCondition
    public var code: ResponseCode?
    public var text: String
}

/// Bracketed response codes (RFC 3501 §7.1, RFC 7162, RFC 4315...). Unknown codes keep
/// their name and raw arguments.
public enum ResponseCode: Sendable, Equatable {
    case alert
    case capability([String])
    case parse
    case permanentFlags([Flag])
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UID)
    case uidValidity(UIDValidity)
    case unseen(UInt32)
    case highestModSeq(ModSequence)
    case noModSeq
    case closed
    case other(name: String, arguments: String)
}

public enum UntaggedResponse: Sendable, Equatable {
    case status(UntaggedStatus)
    case capability([String])
    case enabled([String])
    case list(ListEntry)
    case lsub(ListEntry)
    case mailboxStatus(mailbox: MailboxName, attributes: [String: UInt64])
    case search(uids: [UInt32], highestModSeq: ModSequence?)
    case flags([Flag])
    case exists(UInt32)
    case recent(UInt32)
    case expunge(UInt32)
    case fetch(FetchResponse)
    /// A response this client does not need; kept by name so it can be logged.
    case other(name: String)
}

/// One `* LIST` line (RFC 3501 §7.2.2; attributes include RFC 6154 SPECIAL-USE).
public struct ListEntry: Sendable, Equatable {
    public var attributes: [String]
    public var delimiter: UInt8?
    public var mailbox: MailboxName

    public func hasAttribute(_ name: String) -> Bool {
        attributes.contains { $0.lowercased() == name.lowercased() }
    }
}

/// A body section as named in FETCH: part numbers plus an optional text specifier
/// (`HEADER`, `TEXT`, `MIME`, `HEADER.FIELDS (FROM TO)`), upper-cased.
public struct BodySection: Hashable, Sendable, CustomStringConvertible {
    public var part: [Int]
    public var text: String

    public init(part: [Int] = [], text: String = "") {
        self.part = part
        self.text = text
    }

    public static let header = BodySection(text: "HEADER")

    public var description: String {
        let numbers = part.map(String.init).joined(separator: ".")
        if numbers.isEmpty { return text }
        return text.isEmpty ? numbers : numbers + "." + text
    }
}

/// Data of one `BODY[section]<origin>` (or `BINARY[...]`) item; `bytes` is nil for NIL.
public struct FetchedSection: Sendable, Equatable {
    public var section: BodySection
    public var origin: UInt64?
    public var bytes: [UInt8]?
}

/// The items of one `* n FETCH (...)` response that this client understands.
public struct FetchResponse: Sendable, Equatable {
    public var sequenceNumber: UInt32
    public var uid: UID?
    public var flags: [Flag]?
    public var rfc822Size: UInt64?
    public var internalDate: InternalDate?
    public var bodyStructure: BodyStructure?
    public var modSeq: ModSequence?
    public var sections: [FetchedSection] = []

    public init(sequenceNumber: UInt32) { self.sequenceNumber = sequenceNumber }

    public func section(_ section: BodySection) -> FetchedSection? {
        sections.first { $0.section == section }
    }
}
