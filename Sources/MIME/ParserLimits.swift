/// Explicit bounds on everything a hostile message could inflate (DESIGN §4 "Bounded").
/// Exceeding a limit never fails the parse: the excess is dropped and a defect is recorded.
public struct ParserLimits: Sendable, Hashable {
    /// Bytes of one header block (the message's or one part's).
    public var maxHeaderBytes: Int
    /// Header fields kept per header block.
    public var maxHeaderCount: Int
    /// Bytes of one unfolded header field value.
    public var maxHeaderValueBytes: Int
    /// MIME parts in the whole tree, embedded messages included.
    public var maxParts: Int
    /// Nesting depth of multiparts and embedded messages.
    public var maxDepth: Int
    /// Encoded bytes of the chosen text part that are decoded into `text`.
    public var maxTextBytes: Int
    /// Addresses kept per address header.
    public var maxAddresses: Int

    public init(
        maxHeaderBytes: Int = 256 * 1024,
        maxHeaderCount: Int = 1_000,
        maxHeaderValueBytes: Int = 64 * 1024,
        maxParts: Int = 1_000,
        maxDepth: Int = 16,
        maxTextBytes: Int = 1 << 20,
        maxAddresses: Int = 1_000
    ) {
        // Non-positive values would make the limits meaningless (or offsets negative): clamp.
        self.maxHeaderBytes = max(1, maxHeaderBytes)
        self.maxHeaderCount = max(1, maxHeaderCount)
        self.maxHeaderValueBytes = max(1, maxHeaderValueBytes)
        self.maxParts = max(1, maxParts)
        self.maxDepth = max(1, maxDepth)
        self.maxTextBytes = max(1, maxTextBytes)
        self.maxAddresses = max(1, maxAddresses)
    }

    public static let `default` = ParserLimits()

    /// The same limits with non-positive values clamped (the properties are settable after init).
    var sanitized: ParserLimits {
        ParserLimits(maxHeaderBytes: maxHeaderBytes, maxHeaderCount: maxHeaderCount, maxHeaderValueBytes: maxHeaderValueBytes,
                     maxParts: maxParts, maxDepth: maxDepth, maxTextBytes: maxTextBytes, maxAddresses: maxAddresses)
    }
}
