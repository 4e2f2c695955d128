/// Decodes MIME parameters that arrive already split into name/value pairs — as IMAP servers
/// report them in BODYSTRUCTURE — with the same rules as header parsing: RFC 2231 charsets and
/// continuations (`filename*0*=utf-8''…`), and RFC 2047 encoded-words inside quoted values.
public enum BodyParameters {
    public static func decode(_ pairs: [(name: String, value: String)]) -> (parameters: [String: String], defects: [String]) {
        var header: [UInt8] = Array("x".utf8)
        for (name, value) in pairs.prefix(ParameterParser.maxParameters) {
            // Names come from the server; anything outside a token would break the re-parse.
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "\"") }) else { continue }
            header += Array("; ".utf8) + Array(name.utf8) + [UInt8(ascii: "=")]
            if name.hasSuffix("*") {
                // Extended values are percent-encoded tokens: no quoting.
                header += value.utf8.filter { $0 > 32 && $0 != UInt8(ascii: ";") }
            } else {
                header.append(UInt8(ascii: "\""))
                for byte in value.utf8 where byte != 13 && byte != 10 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { header.append(UInt8(ascii: "\\")) }
                    header.append(byte)
                }
                header.append(UInt8(ascii: "\""))
            }
        }
        var defects: [String] = []
        let parsed = ParameterParser.parse(header, converter: CharsetConverter(), defects: &defects)
        return (parsed.parameters, defects)
    }

    /// The attachment's name from disposition parameters, falling back to Content-Type's `name`.
    public static func filename(disposition: [(name: String, value: String)], contentType: [(name: String, value: String)]) -> String? {
        if let name = decode(disposition).parameters["filename"], !name.isEmpty { return name }
        if let name = decode(contentType).parameters["name"], !name.isEmpty { return name }
        return nil
    }
}
