/// Bounds the response parser enforces so a hostile or broken server cannot make the client
/// allocate without limit or recurse without end (DoS protection, as swift-nio-imap does).
/// Exceeding any of them is an `IMAPParseError`, never a crash or an unbounded buffer.
public struct IMAPParserLimits: Sendable, Equatable {
    /// Bytes of one response outside its literals, all line segments together. A
    /// `* SEARCH` of a million UIDs is about 8 MB, so the default leaves room for that.
    public var maxLineLength: Int
    /// Bytes of one literal. Message data we fetch is headers and a partial text part, but
    /// a whole-message fetch of a big mail must still fit.
    public var maxLiteralSize: Int
    /// Literals in one response (a FETCH carries a handful; thousands mean abuse).
    public var maxLiteralsPerResponse: Int
    /// Parenthesis nesting depth (BODYSTRUCTURE of nested multiparts, envelopes).
    public var maxNestingDepth: Int
    /// Elements of one parenthesised list, and numbers in one SEARCH response.
    public var maxListElements: Int

    public init(
        maxLineLength: Int = 16 << 20,
        maxLiteralSize: Int = 64 << 20,
        maxLiteralsPerResponse: Int = 4_096,
        maxNestingDepth: Int = 64,
        maxListElements: Int = 2_000_000
    ) {
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
        self.maxLiteralsPerResponse = maxLiteralsPerResponse
        self.maxNestingDepth = maxNestingDepth
        self.maxListElements = maxListElements
    }

    public static let `default` = IMAPParserLimits()
}
