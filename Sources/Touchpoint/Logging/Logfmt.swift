/// logfmt encoding: `key=value` pairs separated by spaces, values quoted when they contain a space,
/// `=` or `"`, and every control character escaped so one event is always exactly one line.
public enum Logfmt {
    /// Encodes one value. Never returns a string containing a raw control character.
    public static func encode(_ value: String) -> String {
        if value.isEmpty { return "\"\"" }
        var needsQuotes = false
        var needsEscaping = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case " ", "=": needsQuotes = true
            case "\"", "\\": needsQuotes = true; needsEscaping = true
            default:
                if isControl(scalar) { needsQuotes = true; needsEscaping = true }
            }
        }
        if !needsQuotes { return value }
        if !needsEscaping { return "\"" + value + "\"" }
        var out = "\""
        out.reserveCapacity(value.utf8.count + 8)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if isControl(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Keys are code-chosen, but a key built from data must not break the line either.
    public static func encodeKey(_ key: String) -> String {
        let cleaned = key.unicodeScalars.map { scalar -> String in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "."
                || scalar == "-" ? String(scalar) : "_"
        }.joined()
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// C0, DEL, C1 and the bidi/line separators that terminals and log viewers act on.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
            return true
        default:
            return false
        }
    }
}
