/// Reads the grammar primitives of RFC 3501 §9 (atoms, numbers, quoted strings, literals,
/// NIL, lists) from one framed response. Works on bytes; strings are built only for values
/// the caller keeps.
struct ResponseCursor {
    let line: [UInt8]
    private(set) var index = 0
    private var literals: [[UInt8]]
    private var nextLiteral = 0
    private(set) var depth = 0
    let limits: IMAPParserLimits

    init(frame: ResponseFrame, limits: IMAPParserLimits) {
        self.line = frame.line
        self.literals = frame.literals
        self.limits = limits
    }

    // MARK: Positioning

    var atEnd: Bool { index >= line.count }
    var peek: UInt8? { index < line.count ? line[index] : nil }

    func error(_ expected: String) -> IMAPParseError {
        IMAPParseError(.malformed(expected: expected), offset: index, excerpt: IMAPParseError.excerpt(of: line, at: index))
    }

    mutating func expect(_ byte: UInt8, _ name: String) throws {
        guard peek == byte else { throw error(name) }
        index += 1
    }

    mutating func expectSpace() throws { try expect(UInt8(ascii: " "), "space") }

    /// Consumes `byte` when it is next.
    mutating func skip(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// Skips spaces; servers occasionally double them, which costs nothing to accept.
    mutating func skipSpaces() {
        while peek == UInt8(ascii: " ") { index += 1 }
    }

    /// Case-insensitive match of an ASCII keyword followed by a non-atom byte.
    mutating func keyword(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= line.count else { return false }
        let matches = word.withUTF8Buffer { expected -> Bool in
            for offset in 0..<count where line[index + offset] | 0x20 != expected[offset] | 0x20 { return false }
            return true
        }
        guard matches else { return false }
        if index + count < line.count && Self.isAtomByte(line[index + count]) { return false }
        index += count
        return true
    }

    // MARK: Lists

    mutating func enterList() throws {
        try expect(UInt8(ascii: "("), "(")
        depth += 1
        if depth > limits.maxNestingDepth {
            throw IMAPParseError(.nestingTooDeep(limit: limits.maxNestingDepth), offset: index)
        }
    }

    /// True (and consumes it) when the list closes here.
    mutating func listEnds() throws -> Bool {
        if skip(UInt8(ascii: ")")) {
            depth -= 1
            return true
        }
        return false
    }

    /// Parses `"(" [element *(SP element)] ")"` with a bounded element count.
    mutating func list<T>(_ element: (inout ResponseCursor) throws -> T) throws -> [T] {
        try enterList()
        var result: [T] = []
        while true {
            skipSpaces()
            if try listEnds() { return result }
            guard !atEnd else { throw error(")") }
            if result.count >= limits.maxListElements {
                throw IMAPParseError(.tooManyElements(limit: limits.maxListElements), offset: index)
            }
            result.append(try element(&self))
        }
    }

    // MARK: Atoms and numbers

    /// ATOM-CHAR: any CHAR except atom-specials `(){ %*"\`, CTL and resp-special `]`.
    static func isAtomByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F...: return false
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"),
             UInt8(ascii: "*"), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            return false
        default: return true
        }
    }

    mutating func atomBytes() throws -> ArraySlice<UInt8> {
        let start = index
        while index < line.count && Self.isAtomByte(line[index]) { index += 1 }
        guard index > start else { throw error("atom") }
        return line[start..<index]
    }

    mutating func atom() throws -> String { String(decoding: try atomBytes(), as: UTF8.self) }

    /// A flag: `\Seen`, `\*` or a keyword atom.
    mutating func flag() throws -> Flag {
        let start = index
        if skip(UInt8(ascii: "\\")) {
            if skip(UInt8(ascii: "*")) { return Flag("\\*") }
        }
        _ = try atomBytes()
        return Flag(String(decoding: line[start..<index], as: UTF8.self))
    }

    mutating func number() throws -> UInt64 {
        let start = index
        var value: UInt64 = 0
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflowA || overflowB { throw IMAPParseError(.numberOutOfRange, offset: start) }
            value = sum
            index += 1
        }
        guard index > start else { throw error("number") }
        return value
    }

    mutating func number32() throws -> UInt32 {
        let start = index
        let value = try number()
        guard let narrow = UInt32(exactly: value) else { throw IMAPParseError(.numberOutOfRange, offset: start) }
        return narrow
    }

    // MARK: Strings

    /// `string = quoted / literal`.
    mutating func string() throws -> [UInt8] {
        switch peek {
        case UInt8(ascii: "\""): return try quoted()
        case UInt8(ascii: "{"), UInt8(ascii: "~"): return try literal()
        default: throw error("string")
        }
    }

    /// `nstring = string / NIL`.
    mutating func nstring() throws -> [UInt8]? {
        if keyword("NIL") { return nil }
        return try string()
    }

    /// `astring = 1*ASTRING-CHAR / string` (ASTRING-CHAR adds `]` to atom chars).
    mutating func astring() throws -> [UInt8] {
        switch peek {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "~"): return try string()
        default:
            let start = index
            while let byte = peek, Self.isAtomByte(byte) || byte == UInt8(ascii: "]") { index += 1 }
            guard index > start else { throw error("astring") }
            return Array(line[start..<index])
        }
    }

    mutating func quoted() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""), "quoted string")
        // Fast path: no escapes, so the value is one slice of the line.
        let start = index
        var scan = index
        while scan < line.count {
            let byte = line[scan]
            if byte == UInt8(ascii: "\"") {
                index = scan + 1
                return Array(line[start..<scan])
            }
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") { break }
            scan += 1
        }
        var result = Array(line[start..<scan])
        index = scan
        while true {
            guard index < line.count else { throw error("closing quote") }
            let byte = line[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return result
            case UInt8(ascii: "\\"):
                guard index < line.count else { throw error("escaped character") }
                result.append(line[index])
                index += 1
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"): throw error("closing quote")
            default: result.append(byte)
            }
        }
    }

    /// `{n}CRLF` (or `{n+}`, `~{n}`) followed by n bytes the framer already collected.
    mutating func literal() throws -> [UInt8] {
        _ = skip(UInt8(ascii: "~"))
        try expect(UInt8(ascii: "{"), "literal")
        _ = try number()
        _ = skip(UInt8(ascii: "+")) || skip(UInt8(ascii: "-"))
        try expect(UInt8(ascii: "}"), "}")
        _ = skip(UInt8(ascii: "\r"))
        try expect(UInt8(ascii: "\n"), "line feed after literal size")
        guard nextLiteral < literals.count else { throw error("literal data") }
        // Hand the buffer over instead of copying it a second time.
        let data = literals[nextLiteral]
        literals[nextLiteral] = []
        nextLiteral += 1
        return data
    }

    mutating func nstringText() throws -> String? {
        try nstring().map { String(decoding: $0, as: UTF8.self) }
    }

    mutating func stringText() throws -> String {
        String(decoding: try string(), as: UTF8.self)
    }

    // MARK: Skipping

    /// Skips one value of any shape (atom, number, string, NIL, nested list); used for data
    /// this client does not need (ENVELOPE, body extensions, unknown FETCH items).
    mutating func skipValue() throws {
        switch peek {
        case UInt8(ascii: "("):
            try enterList()
            var count = 0
            while true {
                skipSpaces()
                if try listEnds() { return }
                guard !atEnd else { throw error(")") }
                count += 1
                if count > limits.maxListElements {
                    throw IMAPParseError(.tooManyElements(limit: limits.maxListElements), offset: index)
                }
                try skipValue()
            }
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "~"):
            _ = try string()
        case UInt8(ascii: "\\"):
            _ = try flag()
        default:
            let start = index
            // Atoms here may carry a section, as in `BODY[HEADER.FIELDS (X)]`.
            while let byte = peek, Self.isAtomByte(byte) || byte == UInt8(ascii: "]") { index += 1 }
            if index == start { throw error("value") }
        }
    }

    /// Everything up to the end of the response as text.
    mutating func restOfLine() -> String {
        let text = String(decoding: line[index...], as: UTF8.self)
        index = line.count
        return text
    }

    mutating func bytes(until stop: UInt8) throws -> ArraySlice<UInt8> {
        let start = index
        while let byte = peek, byte != stop { index += 1 }
        guard peek == stop else { throw error(String(UnicodeScalar(stop))) }
        return line[start..<index]
    }
}
