/// Untagged responses (RFC 3501 §7.1-7.4, RFC 9051 §7, RFC 7162 for MODSEQ).
enum UntaggedParser {
    static func parse(_ cursor: inout ResponseCursor) throws -> UntaggedResponse {
        if let byte = cursor.peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let number = try cursor.number32()
            try cursor.expectSpace()
            if cursor.keyword("EXISTS") { return .exists(number) }
            if cursor.keyword("RECENT") { return .recent(number) }
            if cursor.keyword("EXPUNGE") { return .expunge(number) }
            if cursor.keyword("FETCH") {
                try cursor.expectSpace()
                return .fetch(try FetchParser.parse(&cursor, sequenceNumber: number))
            }
            let name = try cursor.atom().uppercased()
            return .other(name: name)
        }

        if cursor.keyword("OK") { return try status(.ok, &cursor) }
        if cursor.keyword("NO") { return try status(.no, &cursor) }
        if cursor.keyword("BAD") { return try status(.bad, &cursor) }
        if cursor.keyword("BYE") { return try status(.bye, &cursor) }
        if cursor.keyword("PREAUTH") { return try status(.preauth, &cursor) }
        if cursor.keyword("CAPABILITY") { return .capability(try atoms(&cursor)) }
        if cursor.keyword("ENABLED") { return .enabled(try atoms(&cursor)) }
        if cursor.keyword("LIST") { return .list(try listEntry(&cursor)) }
        if cursor.keyword("LSUB") { return .lsub(try listEntry(&cursor)) }
        if cursor.keyword("FLAGS") {
            try cursor.expectSpace()
            return .flags(try cursor.list { try $0.flag() })
        }
        if cursor.keyword("SEARCH") { return try search(&cursor) }
        if cursor.keyword("STATUS") { return try mailboxStatus(&cursor) }
        return .other(name: try cursor.atom().uppercased())
    }

    private static func status(_ condition: ResponseCondition, _ cursor: inout ResponseCursor) throws -> UntaggedResponse {
        let (code, text) = try IMAPResponseParser.parseResponseText(&cursor)
        return .status(UntaggedStatus(condition: condition, code: code, text: text))
    }

    private static func atoms(_ cursor: inout ResponseCursor) throws -> [String] {
        var result: [String] = []
        while cursor.skip(UInt8(ascii: " ")) {
            if cursor.atEnd { break }  // a trailing space, seen from some servers
            if result.count >= cursor.limits.maxListElements {
                throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
            }
            result.append(try cursor.atom().uppercased())
        }
        return result
    }

    /// `mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP extended]`
    private static func listEntry(_ cursor: inout ResponseCursor) throws -> ListEntry {
        try cursor.expectSpace()
        let attributes = try cursor.list { try $0.flag().rawValue }
        try cursor.expectSpace()
        var delimiter: UInt8?
        if !cursor.keyword("NIL") {
            let quoted = try cursor.quoted()
            guard quoted.count == 1 else { throw cursor.error("one-character hierarchy delimiter") }
            delimiter = quoted[0]
        }
        try cursor.expectSpace()
        let name = try cursor.astring()
        // RFC 5258 extended data (CHILDINFO, OLDNAME) is not needed.
        while cursor.skip(UInt8(ascii: " ")) { try cursor.skipValue() }
        return ListEntry(attributes: attributes, delimiter: delimiter, mailbox: MailboxName(wire: name))
    }

    /// `* SEARCH 2 3 6` with an optional RFC 7162 `(MODSEQ n)` at the end.
    private static func search(_ cursor: inout ResponseCursor) throws -> UntaggedResponse {
        var numbers: [UInt32] = []
        var modSeq: ModSequence?
        while cursor.skip(UInt8(ascii: " ")) {
            if cursor.atEnd { break }
            if cursor.peek == UInt8(ascii: "(") {
                try cursor.enterList()
                guard cursor.keyword("MODSEQ") else { throw cursor.error("MODSEQ") }
                try cursor.expectSpace()
                modSeq = ModSequence(try cursor.number())
                guard try cursor.listEnds() else { throw cursor.error(")") }
                continue
            }
            if numbers.count >= cursor.limits.maxListElements {
                throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
            }
            numbers.append(try cursor.number32())
        }
        return .search(uids: numbers, highestModSeq: modSeq)
    }

    private static func mailboxStatus(_ cursor: inout ResponseCursor) throws -> UntaggedResponse {
        try cursor.expectSpace()
        let name = try cursor.astring()
        try cursor.expectSpace()
        var attributes: [String: UInt64] = [:]
        try cursor.enterList()
        while true {
            cursor.skipSpaces()
            if try cursor.listEnds() { break }
            guard attributes.count < cursor.limits.maxListElements else {
                throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
            }
            let key = try cursor.atom().uppercased()
            try cursor.expectSpace()
            attributes[key] = try cursor.number()
        }
        return .mailboxStatus(mailbox: MailboxName(wire: name), attributes: attributes)
    }
}
