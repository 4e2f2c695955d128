/// RFC 4180 records from UTF-8 bytes (a leading BOM is skipped; CRLF, LF or lone CR end a
/// record; quoted fields may hold commas, line breaks and doubled quotes).
///
/// A malformed record (a quote inside an unquoted field, text after a closing quote, invalid
/// UTF-8) is returned as a failure naming its line, and reading resumes at the next line, so
/// one bad row never hides the rest of the file. An unterminated quote ends the file.
struct CSVReader {
    struct Record: Equatable {
        /// Physical line (1-based) where the record starts.
        let line: Int
        let fields: [String]
    }

    struct Failure: Error, Equatable {
        let line: Int
        let reason: String
    }

    private let bytes: [UInt8]
    private var position: Int
    private var line = 1

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Bytes consumed so far (for progress).
    var offset: Int { position }

    /// The next record, skipping blank lines; nil at the end.
    mutating func next() -> Result<Record, Failure>? {
        while position < bytes.count {
            if let blank = lineBreakLength(at: position) {
                position += blank
                line += 1
                continue
            }
            return readRecord()
        }
        return nil
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private func lineBreakLength(at index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        if bytes[index] == Self.lf { return 1 }
        if bytes[index] == Self.cr { return index + 1 < bytes.count && bytes[index + 1] == Self.lf ? 2 : 1 }
        return nil
    }

    private mutating func readRecord() -> Result<Record, Failure> {
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        while true {
            field.removeAll(keepingCapacity: true)
            if position < bytes.count, bytes[position] == Self.quote {
                // Quoted field.
                position += 1
                var closed = false
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == Self.quote {
                        if position + 1 < bytes.count, bytes[position + 1] == Self.quote {
                            field.append(Self.quote)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if byte == Self.lf || (byte == Self.cr && !(position + 1 < bytes.count && bytes[position + 1] == Self.lf)) {
                        line += 1
                    }
                    field.append(byte)
                    position += 1
                }
                if !closed {
                    return .failure(Failure(line: startLine, reason: "quoted field is never closed"))
                }
                if position < bytes.count, bytes[position] != Self.comma, lineBreakLength(at: position) == nil {
                    return skipRest(startLine, reason: "text after a closing quote")
                }
            } else {
                while position < bytes.count, bytes[position] != Self.comma, lineBreakLength(at: position) == nil {
                    if bytes[position] == Self.quote {
                        return skipRest(startLine, reason: "quote inside an unquoted field (quote the whole field)")
                    }
                    field.append(bytes[position])
                    position += 1
                }
            }
            guard let text = String(validating: field, as: UTF8.self) else {
                return skipRest(startLine, reason: "field \(fields.count + 1) is not valid UTF-8")
            }
            fields.append(text)
            if position < bytes.count, bytes[position] == Self.comma {
                position += 1
                continue
            }
            if let length = lineBreakLength(at: position) {
                position += length
                line += 1
            }
            return .success(Record(line: startLine, fields: fields))
        }
    }

    /// Skips to the end of the current physical line after a malformed record.
    private mutating func skipRest(_ startLine: Int, reason: String) -> Result<Record, Failure> {
        while position < bytes.count, lineBreakLength(at: position) == nil { position += 1 }
        if let length = lineBreakLength(at: position) {
            position += length
            line += 1
        }
        return .failure(Failure(line: startLine, reason: reason))
    }
}
