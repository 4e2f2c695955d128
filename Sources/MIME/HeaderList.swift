/// One header field: its name as written and its unfolded value as raw bytes (RFC 6532 allows UTF-8;
/// real mail also carries other 8-bit charsets, so bytes are kept until a consumer decodes them).
public struct HeaderField: Sendable, Hashable {
    public let name: String
    /// Unfolded (line breaks of folding removed, RFC 5322 §2.2.3) and trimmed value bytes.
    public let rawValue: [UInt8]

    public init(name: String, rawValue: [UInt8]) {
        self.name = name
        self.rawValue = rawValue
    }

    /// The value as text without RFC 2047 decoding: UTF-8, or windows-1252 for invalid UTF-8.
    public var value: String { rawValue.withUnsafeBufferPointer { CharsetConverter.fallback($0) } }

    /// The value with RFC 2047 encoded-words decoded (for unstructured fields such as Subject).
    public var decodedValue: String {
        var defects: [String] = []
        return CharsetConverterPool.shared.withConverter { EncodedWords.decode(rawValue, converter: $0, defects: &defects) }
    }
}

/// The header fields of a message or part, in order, with case-insensitive lookup.
public struct HeaderList: Sendable, Hashable, Sequence {
    public private(set) var fields: [HeaderField]

    public init(_ fields: [HeaderField] = []) { self.fields = fields }

    public func makeIterator() -> IndexingIterator<[HeaderField]> { fields.makeIterator() }
    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// All fields with this name (case-insensitive), in message order.
    public func fields(named name: String) -> [HeaderField] {
        fields.filter { Self.nameMatches($0.name, name) }
    }

    /// The first field with this name (case-insensitive).
    public func first(named name: String) -> HeaderField? {
        fields.first { Self.nameMatches($0.name, name) }
    }

    /// Every value of a name as text (no RFC 2047 decoding).
    public func values(named name: String) -> [String] { fields(named: name).map(\.value) }

    public subscript(name: String) -> String? { first(named: name)?.value }

    public mutating func append(_ field: HeaderField) { fields.append(field) }

    /// ASCII case-insensitive comparison without allocating (runs for every header lookup).
    private static func nameMatches(_ name: String, _ key: String) -> Bool {
        let a = name.utf8, b = key.utf8
        guard a.count == b.count else { return false }
        // Most names of the same length already differ in their first byte.
        guard let firstA = a.first, let firstB = b.first else { return true }
        guard ASCII.lower(firstA) == ASCII.lower(firstB) else { return false }
        return a.elementsEqual(b) { ASCII.lower($0) == ASCII.lower($1) }
    }

    /// Parses a header block (e.g. an IMAP `BODY.PEEK[HEADER]`), tolerating everything `MessageParser` does.
    public static func parse(_ bytes: some Collection<UInt8>, limits: ParserLimits = .default) -> HeaderList {
        parseReportingDefects(bytes, limits: limits).headers
    }

    public static func parseReportingDefects(
        _ bytes: some Collection<UInt8>, limits: ParserLimits = .default
    ) -> (headers: HeaderList, defects: [String]) {
        var defects: [String] = []
        let limits = limits.sanitized
        let run: (UnsafeBufferPointer<UInt8>) -> HeaderList = { buffer in
            HeaderBlockParser.parse(buffer, from: 0, to: buffer.count, limits: limits, defects: &defects).headers
        }
        if let headers = bytes.withContiguousStorageIfAvailable(run) { return (headers, defects) }
        let headers = Array(bytes).withUnsafeBufferPointer(run)
        return (headers, defects)
    }
}
