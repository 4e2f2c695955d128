/// What one message costs to capture: headers, structure, size, arrival time and the start
/// of its first text part. Attachments are described by `bodyStructure`, never downloaded.
public struct FetchedMessage: Sendable, Equatable {
    public var uid: UID
    public var size: UInt64
    public var internalDate: InternalDate?
    public var bodyStructure: BodyStructure?
    public var headerBytes: [UInt8]
    public var firstTextPart: TextPart?
}

/// The first bytes of the part a snippet comes from, still in its transfer encoding and charset
/// (decoding them is the MIME module's job).
public struct TextPart: Sendable, Equatable {
    public var section: [Int]
    public var bytes: [UInt8]
    /// The part is longer than what was fetched.
    public var truncated: Bool
    public var transferEncoding: String
    public var charset: String?
    public var subtype: String

    public var sectionText: String { section.map(String.init).joined(separator: ".") }
}

public enum IdleOutcome: Sendable, Equatable {
    /// The server reported changes (new mail, expunges, flag changes).
    case changed([UntaggedResponse])
    /// Nothing happened within the wait.
    case timedOut
}
