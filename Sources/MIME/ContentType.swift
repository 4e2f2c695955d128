/// A parsed Content-Type or Content-Disposition value: the lowercased token(s) and parameters with
/// RFC 2231 extended values, charsets and continuations resolved.
public struct ContentType: Sendable, Hashable, CustomStringConvertible {
    /// e.g. "text"
    public var type: String
    /// e.g. "plain"
    public var subtype: String
    /// Parameter names lowercased; values decoded to text.
    public var parameters: [String: String]

    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    public var mimeType: String { "\(type)/\(subtype)" }
    public var description: String { mimeType }
    public var charset: String? { parameters["charset"] }
    public var isMultipart: Bool { type == "multipart" }
    public var isText: Bool { type == "text" }
    public var isEmbeddedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }

    public static let textPlain = ContentType(type: "text", subtype: "plain", parameters: ["charset": "us-ascii"])
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")
}

/// Parser for `token[/token] *(";" parameter)` header values (RFC 2045 §5.1, RFC 2183, RFC 2231).
///
/// Leniencies: unquoted values with spaces or tspecials run to the next ";"; a missing closing quote
/// ends the value at the end of the field; an RFC 2047 encoded-word inside a quoted value (what many
/// mailers send for filenames) is decoded; duplicate parameters keep the first; a media type without a
/// subtype or with invalid characters is reported so the caller can use its default.
enum ParameterParser {
    static let maxParameters = 64
    static let maxSections = 128

    struct Parsed {
        var token: String  // lowercased "type/subtype" or disposition
        var parameters: [String: String]
    }

    static func parse(_ raw: [UInt8], converter: CharsetConverter, defects: inout [String]) -> Parsed {
        raw.withUnsafeBufferPointer { parse($0, converter: converter, defects: &defects) }
    }

    static func parse(_ buf: UnsafeBufferPointer<UInt8>, converter: CharsetConverter, defects: inout [String]) -> Parsed {
        let n = buf.count
        var i = 0
        skipCFWS(buf, &i)
        let tokenStart = i
        while i < n, buf[i] != ASCII.semicolon, !ASCII.isWhitespace(buf[i]), buf[i] != 40 { i += 1 }
        var tokenBytes = Array(UnsafeBufferPointer(rebasing: buf[tokenStart..<i]))
        for k in tokenBytes.indices { tokenBytes[k] = ASCII.lower(tokenBytes[k]) }
        let token = String(decoding: tokenBytes, as: UTF8.self)

        // name -> (sections by index, plain value)
        var plain: [String: [UInt8]] = [:]
        var order: [String] = []
        var sections: [String: [Int: (bytes: [UInt8], extended: Bool)]] = [:]
        var count = 0
        var missingSeparator = false
        while i < n {
            skipCFWS(buf, &i)
            guard i < n else { break }
            if buf[i] == ASCII.semicolon { i += 1; continue }
            // A parameter not preceded by ";" ("multipart/mixed boundary=x", or two quoted values
            // in a row) is still read: senders that forget the ";" mean the parameter.
            if i > tokenStart + tokenBytes.count { missingSeparator = missingSeparator || !(i > 0 && precededBySemicolon(buf, i)) }
            let nameStart = i
            while i < n, buf[i] != ASCII.equals, buf[i] != ASCII.semicolon, !ASCII.isWhitespace(buf[i]) { i += 1 }
            var nameBytes = Array(UnsafeBufferPointer(rebasing: buf[nameStart..<i]))
            skipCFWS(buf, &i)
            guard i < n, buf[i] == ASCII.equals, !nameBytes.isEmpty else {
                while i < n, buf[i] != ASCII.semicolon { i += 1 }  // junk up to the next parameter
                continue
            }
            i += 1
            skipCFWS(buf, &i)
            var value: [UInt8] = []
            if i < n, buf[i] == ASCII.quote {
                i += 1
                var closed = false
                while i < n {
                    let b = buf[i]
                    if b == ASCII.backslash, i + 1 < n {
                        // Windows paths in filenames ("C:\dir\x") are far more common than escapes of
                        // anything other than quote and backslash: keep the backslash then.
                        let next = buf[i + 1]
                        if next == ASCII.quote || next == ASCII.backslash { value.append(next); i += 2 } else { value.append(b); i += 1 }
                        continue
                    }
                    if b == ASCII.quote { closed = true; i += 1; break }
                    value.append(b)
                    i += 1
                }
                if !closed { defects.append("unterminated quoted parameter value") }
            } else {
                let valueStart = i
                while i < n, buf[i] != ASCII.semicolon { i += 1 }
                var hi = i
                while hi > valueStart, ASCII.isWhitespace(buf[hi - 1]) { hi -= 1 }
                value = Array(UnsafeBufferPointer(rebasing: buf[valueStart..<hi]))
            }
            count += 1
            if count > maxParameters {
                defects.append("more than \(maxParameters) parameters: rest ignored")
                break
            }
            for k in nameBytes.indices { nameBytes[k] = ASCII.lower(nameBytes[k]) }
            var name = String(decoding: nameBytes, as: UTF8.self)
            // RFC 2231: name*  |  name*N  |  name*N*
            var extended = false
            if name.hasSuffix("*") { extended = true; name.removeLast() }
            var sectionIndex: Int?
            if let star = name.lastIndex(of: "*"), let idx = Int(name[name.index(after: star)...]), idx >= 0 {
                sectionIndex = idx
                name = String(name[..<star])
            }
            if let idx = sectionIndex {
                if idx < maxSections {
                    if sections[name] == nil { sections[name] = [:]; if plain[name] == nil { order.append(name) } }
                    if sections[name]![idx] == nil { sections[name]![idx] = (value, extended) }
                }
            } else if extended {
                if sections[name] == nil { sections[name] = [:]; if plain[name] == nil { order.append(name) } }
                sections[name]![0] = (value, true)
            } else if plain[name] == nil {
                plain[name] = value
                if sections[name] == nil { order.append(name) }
            }
        }

        if missingSeparator { defects.append("parameter without a preceding \";\" in \(token)") }
        var parameters: [String: String] = [:]
        for name in order {
            if let parts = sections[name], !parts.isEmpty {
                parameters[name] = assemble2231(parts, name: name, converter: converter, defects: &defects)
            } else if let value = plain[name] {
                parameters[name] = decodePlainValue(value, converter: converter, defects: &defects)
            }
        }
        return Parsed(token: token, parameters: parameters)
    }

    private static func decodePlainValue(_ value: [UInt8], converter: CharsetConverter, defects: inout [String]) -> String {
        // Non-standard but ubiquitous: filename="=?utf-8?B?...?="
        EncodedWords.decode(value, converter: converter, defects: &defects)
    }

    private static func assemble2231(
        _ parts: [Int: (bytes: [UInt8], extended: Bool)], name: String, converter: CharsetConverter, defects: inout [String]
    ) -> String {
        var charset = "us-ascii"
        var bytes: [UInt8] = []
        var expected = 0
        for index in parts.keys.sorted() {
            if index != expected {
                defects.append("RFC 2231 parameter \(name) has a gap in its continuations")
            }
            expected = index + 1
            guard let (raw, extended) = parts[index] else { continue }
            var value = raw[...]
            if extended, index == 0 {
                // charset'language'value
                if let q1 = value.firstIndex(of: 39), let q2 = value[(q1 + 1)...].firstIndex(of: 39) {
                    let label = String(decoding: value[..<q1], as: UTF8.self)
                    if !label.isEmpty { charset = label }
                    value = value[(q2 + 1)...]
                } else {
                    defects.append("RFC 2231 parameter \(name) lacks charset'language' prefix")
                }
            }
            if extended {
                var k = value.startIndex
                while k < value.endIndex {
                    let b = value[k]
                    if b == 37, k + 2 < value.endIndex, let hi = ASCII.hexValue(value[k + 1]), let lo = ASCII.hexValue(value[k + 2]) {
                        bytes.append(hi << 4 | lo)
                        k += 3
                    } else {
                        bytes.append(b)
                        k += 1
                    }
                }
            } else {
                bytes.append(contentsOf: value)
            }
        }
        if charset == "us-ascii", parts.values.allSatisfy({ !$0.extended }) {
            return EncodedWords.decode(bytes, converter: converter, defects: &defects)
        }
        return converter.decode(bytes, charset: charset, defects: &defects)
    }

    /// Whether the last non-whitespace byte before `i` is ";".
    private static func precededBySemicolon(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        var k = i - 1
        while k >= 0, ASCII.isWhitespace(buf[k]) { k -= 1 }
        return k >= 0 && buf[k] == ASCII.semicolon
    }

    /// Skips whitespace and (nested) comments.
    static func skipCFWS(_ buf: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        let n = buf.count
        while i < n {
            if ASCII.isWhitespace(buf[i]) { i += 1; continue }
            if buf[i] == 40 {  // "("
                var depth = 0
                while i < n {
                    let b = buf[i]
                    if b == ASCII.backslash { i += 2; continue }
                    if b == 40 { depth += 1 } else if b == 41 { depth -= 1; if depth == 0 { i += 1; break } }
                    i += 1
                }
                continue
            }
            break
        }
        if i > n { i = n }
    }
}
