/// The public, incremental response parser: append bytes as they arrive in any chunking,
/// take complete responses out. Framing (where a response ends) and grammar (what it says)
/// are separate steps; see `ResponseFramer`.
///
/// After a limit violation the stream position is lost and the connection must be dropped;
/// after a grammar error the framer is still in step and parsing can continue.
public struct IMAPResponseParser {
    public let limits: IMAPParserLimits
    private var framer: ResponseFramer

    public init(limits: IMAPParserLimits = .default) {
        self.limits = limits
        self.framer = ResponseFramer(limits: limits)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) { framer.append(bytes) }
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 { framer.append(bytes) }

    /// Frees the memory kept for earlier responses when no partial response is pending.
    public mutating func releaseSpareCapacity() { framer.releaseSpareCapacity() }

    /// Bytes received but not yet returned as part of a response.
    public var bufferedByteCount: Int { framer.bufferedByteCount }

    /// The next complete response, or nil when more bytes are needed.
    public mutating func next() throws -> IMAPResponse? {
        guard let frame = try framer.nextFrame() else { return nil }
        var cursor = ResponseCursor(frame: frame, limits: limits)
        return try Self.parse(&cursor)
    }

    static func parse(_ cursor: inout ResponseCursor) throws -> IMAPResponse {
        switch cursor.peek {
        case UInt8(ascii: "+"):
            _ = cursor.skip(UInt8(ascii: "+"))
            _ = cursor.skip(UInt8(ascii: " "))
            return .continuation(text: cursor.restOfLine())
        case UInt8(ascii: "*"):
            _ = cursor.skip(UInt8(ascii: "*"))
            try cursor.expectSpace()
            return .untagged(try UntaggedParser.parse(&cursor))
        default:
            return .tagged(try parseTagged(&cursor))
        }
    }

    private static func parseTagged(_ cursor: inout ResponseCursor) throws -> TaggedStatus {
        let start = cursor.index
        // tag = 1*<any ASTRING-CHAR except "+">
        while let byte = cursor.peek, ResponseCursor.isAtomByte(byte) && byte != UInt8(ascii: "+") || byte == UInt8(ascii: "]") {
            _ = cursor.skip(byte)
        }
        guard cursor.index > start else { throw cursor.error("tag, * or +") }
        let tag = String(decoding: cursor.line[start..<cursor.index], as: UTF8.self)
        try cursor.expectSpace()
        let condition = try parseCondition(&cursor)
        guard condition == .ok || condition == .no || condition == .bad else { throw cursor.error("OK, NO or BAD") }
        let (code, text) = try parseResponseText(&cursor)
        return TaggedStatus(tag: tag, condition: condition, code: code, text: text)
    }

    static func parseCondition(_ cursor: inout ResponseCursor) throws -> ResponseCondition {
        if cursor.keyword("OK") { return .ok }
        if cursor.keyword("NO") { return .no }
        if cursor.keyword("BAD") { return .bad }
        if cursor.keyword("BYE") { return .bye }
        if cursor.keyword("PREAUTH") { return .preauth }
        throw cursor.error("OK, NO, BAD, BYE or PREAUTH")
    }

    /// `resp-text = ["[" resp-text-code "]" SP] text`; text may be empty (a common leniency).
    static func parseResponseText(_ cursor: inout ResponseCursor) throws -> (ResponseCode?, String) {
        cursor.skipSpaces()
        var code: ResponseCode?
        if cursor.skip(UInt8(ascii: "[")) {
            code = try parseResponseCode(&cursor)
            try cursor.expect(UInt8(ascii: "]"), "]")
            cursor.skipSpaces()
        }
        return (code, cursor.restOfLine())
    }

    private static func parseResponseCode(_ cursor: inout ResponseCursor) throws -> ResponseCode {
        if cursor.keyword("UIDVALIDITY") {
            try cursor.expectSpace()
            return .uidValidity(UIDValidity(try cursor.number32()))
        }
        if cursor.keyword("UIDNEXT") {
            try cursor.expectSpace()
            return .uidNext(UID(try cursor.number32()))
        }
        if cursor.keyword("HIGHESTMODSEQ") {
            try cursor.expectSpace()
            return .highestModSeq(ModSequence(try cursor.number()))
        }
        if cursor.keyword("UNSEEN") {
            try cursor.expectSpace()
            return .unseen(try cursor.number32())
        }
        if cursor.keyword("CAPABILITY") {
            var capabilities: [String] = []
            while cursor.skip(UInt8(ascii: " ")) {
                if cursor.peek == UInt8(ascii: "]") { break }
                capabilities.append(try cursor.atom().uppercased())
                if capabilities.count > cursor.limits.maxListElements {
                    throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
                }
            }
            return .capability(capabilities)
        }
        if cursor.keyword("PERMANENTFLAGS") {
            try cursor.expectSpace()
            return .permanentFlags(try cursor.list { try $0.flag() })
        }
        if cursor.keyword("READ-ONLY") { return .readOnly }
        if cursor.keyword("READ-WRITE") { return .readWrite }
        if cursor.keyword("TRYCREATE") { return .tryCreate }
        if cursor.keyword("ALERT") { return .alert }
        if cursor.keyword("PARSE") { return .parse }
        if cursor.keyword("NOMODSEQ") { return .noModSeq }
        if cursor.keyword("CLOSED") { return .closed }
        let name = try cursor.atom().uppercased()
        var arguments = ""
        if cursor.skip(UInt8(ascii: " ")) {
            arguments = String(decoding: try cursor.bytes(until: UInt8(ascii: "]")), as: UTF8.self)
        }
        return .other(name: name, arguments: arguments)
    }
}
