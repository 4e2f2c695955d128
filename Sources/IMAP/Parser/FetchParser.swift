/// `msg-att` items of a FETCH response (RFC 3501 §7.4.2, RFC 9051 §7.5.2, RFC 7162 MODSEQ).
enum FetchParser {
    static func parse(_ cursor: inout ResponseCursor, sequenceNumber: UInt32) throws -> FetchResponse {
        var response = FetchResponse(sequenceNumber: sequenceNumber)
        try cursor.enterList()
        var items = 0
        while true {
            cursor.skipSpaces()
            if try cursor.listEnds() { break }
            guard !cursor.atEnd else { throw cursor.error(")") }
            items += 1
            if items > cursor.limits.maxListElements {
                throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
            }
            try item(&cursor, into: &response)
        }
        return response
    }

    private static func item(_ cursor: inout ResponseCursor, into response: inout FetchResponse) throws {
        if cursor.keyword("UID") {
            try cursor.expectSpace()
            let value = try cursor.number32()
            guard value > 0 else { throw cursor.error("non-zero UID") }
            response.uid = UID(value)
        } else if cursor.keyword("FLAGS") {
            try cursor.expectSpace()
            response.flags = try cursor.list { try $0.flag() }
        } else if cursor.keyword("RFC822.SIZE") {
            try cursor.expectSpace()
            response.rfc822Size = try cursor.number()
        } else if cursor.keyword("INTERNALDATE") {
            try cursor.expectSpace()
            let text = try cursor.string()
            guard let date = InternalDate(text: text) else { throw cursor.error("date-time") }
            response.internalDate = date
        } else if cursor.keyword("BODYSTRUCTURE") {
            try cursor.expectSpace()
            response.bodyStructure = try BodyStructureParser.parse(&cursor)
        } else if cursor.keyword("MODSEQ") {
            try cursor.expectSpace()
            try cursor.enterList()
            response.modSeq = ModSequence(try cursor.number())
            guard try cursor.listEnds() else { throw cursor.error(")") }
        } else if let sectionItem = try sectionItem(&cursor) {
            response.sections.append(sectionItem)
        } else {
            // Unknown or unneeded item (ENVELOPE, X-GM-*...): name, then one value.
            _ = try cursor.atomBytes()
            try cursor.expectSpace()
            try cursor.skipValue()
        }
    }

    /// `BODY[section]<origin> nstring`, `BINARY[section]<origin> nstring`, the RFC822 forms,
    /// and the non-extensible `BODY (structure)`.
    private static func sectionItem(_ cursor: inout ResponseCursor) throws -> FetchedSection? {
        if cursor.keyword("RFC822.HEADER") { return try sectionData(&cursor, BodySection(text: "HEADER"), origin: nil) }
        if cursor.keyword("RFC822.TEXT") { return try sectionData(&cursor, BodySection(text: "TEXT"), origin: nil) }
        if cursor.keyword("RFC822") { return try sectionData(&cursor, BodySection(), origin: nil) }

        let isBody = cursor.peekWord("BODY[")
        let isBinary = cursor.peekWord("BINARY[")
        guard isBody || isBinary else {
            if cursor.keyword("BODY") {
                try cursor.expectSpace()
                _ = try BodyStructureParser.parse(&cursor)
                return FetchedSection(section: BodySection(text: "STRUCTURE"), origin: nil, bytes: nil)
            }
            return nil
        }
        cursor.advance(by: isBody ? 5 : 7)
        let raw = try cursor.bytes(until: UInt8(ascii: "]"))
        _ = cursor.skip(UInt8(ascii: "]"))
        var section = try parseSection(raw, cursor: cursor)
        if isBinary { section.text = "BINARY" + (section.text.isEmpty ? "" : "." + section.text) }
        var origin: UInt64?
        if cursor.skip(UInt8(ascii: "<")) {
            origin = try cursor.number()
            try cursor.expect(UInt8(ascii: ">"), ">")
        }
        return try sectionData(&cursor, section, origin: origin)
    }

    private static func sectionData(_ cursor: inout ResponseCursor, _ section: BodySection, origin: UInt64?) throws -> FetchedSection {
        try cursor.expectSpace()
        return FetchedSection(section: section, origin: origin, bytes: try cursor.nstring())
    }

    /// `1.2.HEADER.FIELDS (A B)` → part [1, 2], text `HEADER.FIELDS (A B)`.
    static func parseSection(_ raw: ArraySlice<UInt8>, cursor: ResponseCursor) throws -> BodySection {
        var part: [Int] = []
        var index = raw.startIndex
        while index < raw.endIndex, raw[index] >= UInt8(ascii: "0"), raw[index] <= UInt8(ascii: "9") {
            var number = 0
            while index < raw.endIndex, raw[index] >= UInt8(ascii: "0"), raw[index] <= UInt8(ascii: "9") {
                number = number * 10 + Int(raw[index] - UInt8(ascii: "0"))
                guard number < 1_000_000 else { throw IMAPParseError(.numberOutOfRange, offset: cursor.index) }
                index += 1
            }
            guard number > 0 else { throw cursor.error("non-zero section part") }
            part.append(number)
            guard part.count <= cursor.limits.maxNestingDepth else {
                throw IMAPParseError(.nestingTooDeep(limit: cursor.limits.maxNestingDepth), offset: cursor.index)
            }
            if index < raw.endIndex, raw[index] == UInt8(ascii: ".") { index += 1 } else { break }
        }
        let text = String(decoding: raw[index...], as: UTF8.self).uppercased()
        return BodySection(part: part, text: text)
    }
}

extension ResponseCursor {
    /// Case-insensitive lookahead for a literal prefix such as `BODY[`.
    func peekWord(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= line.count else { return false }
        return word.withUTF8Buffer { expected in
            for offset in 0..<count where line[index + offset] | 0x20 != expected[offset] | 0x20 { return false }
            return true
        }
    }
}
