/// Decoders for header pieces that arrive outside a message, e.g. in an IMAP BODYSTRUCTURE (which
/// carries Content-Type parameters as raw name/value pairs, still RFC 2231- or RFC 2047-encoded).
public enum HeaderDecoding {
    /// Decodes RFC 2047 encoded-words in unstructured text (a Subject, a display name, a filename).
    public static func decodeEncodedWords(_ text: String) -> (text: String, defects: [String]) {
        var defects: [String] = []
        let decoded = CharsetConverterPool.shared.withConverter { EncodedWords.decode(text, converter: $0, defects: &defects) }
        return (decoded, defects)
    }

    /// Parses a Content-Type field value; nil when it has no usable "type/subtype".
    public static func contentType(_ value: String) -> ContentType? {
        var defects: [String] = []
        let parsed = CharsetConverterPool.shared.withConverter {
            ParameterParser.parse(Array(value.utf8), converter: $0, defects: &defects)
        }
        let pieces = parsed.token.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else { return nil }
        return ContentType(type: String(pieces[0]), subtype: String(pieces[1]), parameters: parsed.parameters)
    }

    /// Resolves parameter pairs as a server lists them (`filename*0*`, `filename*1*`, `name`, …) into
    /// decoded values keyed by lowercased name: RFC 2231 charsets and continuations, and encoded-words.
    public static func parameters(_ pairs: [(name: String, value: String)]) -> (parameters: [String: String], defects: [String]) {
        var field: [UInt8] = Array("x".utf8)
        for (name, value) in pairs.prefix(ParameterParser.maxParameters) {
            // Names are tokens; anything else could break the re-serialised field, so it is skipped.
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != ASCII.equals && $0 != ASCII.semicolon && $0 != ASCII.quote })
            else { continue }
            field += Array("; \(name)=\"".utf8)
            for b in value.utf8 {
                if b == ASCII.quote || b == ASCII.backslash { field.append(ASCII.backslash) }
                field.append(b)
            }
            field.append(ASCII.quote)
        }
        var defects: [String] = []
        let parsed = CharsetConverterPool.shared.withConverter { ParameterParser.parse(field, converter: $0, defects: &defects) }
        return (parsed.parameters, defects)
    }
}
