/// BODYSTRUCTURE (RFC 3501 §9 `body`, RFC 9051 §9). Leniencies, each seen from real servers:
/// NIL where a string is required becomes "", extension data may be cut short at any point,
/// and unknown extension values are skipped.
enum BodyStructureParser {
    static func parse(_ cursor: inout ResponseCursor) throws -> BodyStructure {
        try cursor.enterList()
        let result: BodyStructure
        if cursor.peek == UInt8(ascii: "(") {
            result = .multipart(try multipart(&cursor))
        } else {
            result = .singlePart(try singlePart(&cursor))
        }
        cursor.skipSpaces()
        guard try cursor.listEnds() else { throw cursor.error(") closing body") }
        return result
    }

    private static func multipart(_ cursor: inout ResponseCursor) throws -> MultipartBody {
        var parts: [BodyStructure] = []
        while cursor.peek == UInt8(ascii: "(") {
            if parts.count >= cursor.limits.maxListElements {
                throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
            }
            parts.append(try parse(&cursor))
            cursor.skipSpaces()
        }
        let subtype = try lowered(&cursor)
        var body = MultipartBody(parts: parts, subtype: subtype, parameters: [], disposition: nil, language: [], location: nil)
        guard spaceBeforeMore(&cursor) else { return body }
        body.parameters = try parameters(&cursor)
        guard spaceBeforeMore(&cursor) else { return body }
        body.disposition = try disposition(&cursor)
        guard spaceBeforeMore(&cursor) else { return body }
        body.language = try language(&cursor)
        guard spaceBeforeMore(&cursor) else { return body }
        body.location = try cursor.nstringText()
        try skipExtensions(&cursor)
        return body
    }

    private static func singlePart(_ cursor: inout ResponseCursor) throws -> BodyPart {
        let mediaType = try lowered(&cursor)
        try cursor.expectSpace()
        let subtype = try lowered(&cursor)
        try cursor.expectSpace()
        let parameters = try self.parameters(&cursor)
        try cursor.expectSpace()
        let id = try cursor.nstringText()
        try cursor.expectSpace()
        let description = try cursor.nstringText()
        try cursor.expectSpace()
        let encoding = try lowered(&cursor)
        try cursor.expectSpace()
        let size = try cursor.number()
        var part = BodyPart(
            mediaType: mediaType, subtype: subtype, parameters: parameters, id: id, description: description,
            encoding: encoding, size: size, lines: nil, encapsulated: nil, md5: nil, disposition: nil,
            language: [], location: nil
        )

        if mediaType == "message" && (subtype == "rfc822" || subtype == "global") && cursor.peekSpaceThenList() {
            try cursor.expectSpace()
            try cursor.skipValue()  // envelope: the MIME parser reads the headers themselves
            try cursor.expectSpace()
            part.encapsulated = try parse(&cursor)
            try cursor.expectSpace()
            part.lines = try cursor.number()
        } else if mediaType == "text" {
            try cursor.expectSpace()
            part.lines = try cursor.number()
        }

        guard spaceBeforeMore(&cursor) else { return part }
        part.md5 = try cursor.nstringText()
        guard spaceBeforeMore(&cursor) else { return part }
        part.disposition = try disposition(&cursor)
        guard spaceBeforeMore(&cursor) else { return part }
        part.language = try language(&cursor)
        guard spaceBeforeMore(&cursor) else { return part }
        part.location = try cursor.nstringText()
        try skipExtensions(&cursor)
        return part
    }

    /// Consumes a space when more fields follow before the closing parenthesis.
    private static func spaceBeforeMore(_ cursor: inout ResponseCursor) -> Bool {
        guard cursor.peek == UInt8(ascii: " ") else { return false }
        cursor.skipSpaces()
        return cursor.peek != UInt8(ascii: ")") && !cursor.atEnd
    }

    private static func skipExtensions(_ cursor: inout ResponseCursor) throws {
        var count = 0
        while spaceBeforeMore(&cursor) {
            count += 1
            if count > cursor.limits.maxListElements {
                throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
            }
            try cursor.skipValue()
        }
    }

    private static func lowered(_ cursor: inout ResponseCursor) throws -> String {
        guard var bytes = try cursor.nstring() else { return "" }
        // Media types and parameter names are ASCII tokens: lower-case the bytes, not a String.
        for index in bytes.indices where bytes[index] >= UInt8(ascii: "A") && bytes[index] <= UInt8(ascii: "Z") {
            bytes[index] |= 0x20
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `body-fld-param = "(" string SP string *(SP string SP string) ")" / nil`
    private static func parameters(_ cursor: inout ResponseCursor) throws -> [BodyParameter] {
        if cursor.keyword("NIL") { return [] }
        try cursor.enterList()
        var result: [BodyParameter] = []
        while true {
            cursor.skipSpaces()
            if try cursor.listEnds() { return result }
            guard !cursor.atEnd else { throw cursor.error(")") }
            if result.count >= cursor.limits.maxListElements {
                throw IMAPParseError(.tooManyElements(limit: cursor.limits.maxListElements), offset: cursor.index)
            }
            let name = try lowered(&cursor)
            try cursor.expectSpace()
            let value = try cursor.nstringText() ?? ""
            result.append(BodyParameter(name: name, value: value))
        }
    }

    /// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`
    private static func disposition(_ cursor: inout ResponseCursor) throws -> ContentDisposition? {
        if cursor.keyword("NIL") { return nil }
        try cursor.enterList()
        let kind = try lowered(&cursor)
        cursor.skipSpaces()
        var parameters: [BodyParameter] = []
        if cursor.peek != UInt8(ascii: ")") { parameters = try self.parameters(&cursor) }
        cursor.skipSpaces()
        guard try cursor.listEnds() else { throw cursor.error(") closing disposition") }
        return ContentDisposition(kind: kind, parameters: parameters)
    }

    /// `body-fld-lang = nstring / "(" string *(SP string) ")"`
    private static func language(_ cursor: inout ResponseCursor) throws -> [String] {
        if cursor.peek == UInt8(ascii: "(") {
            return try cursor.list { try $0.stringText() }
        }
        return try cursor.nstringText().map { [$0] } ?? []
    }
}

extension ResponseCursor {
    func peekSpaceThenList() -> Bool {
        index + 1 < line.count && line[index] == UInt8(ascii: " ") && line[index + 1] == UInt8(ascii: "(")
    }

    mutating func advance(by count: Int) {
        for _ in 0..<count { _ = skip(line[index]) }
    }
}
