import Foundation

/// Text headed for PostgreSQL from mail: NUL cannot be stored in `text`, and a message that
/// cannot be stored would stall its folder forever (DESIGN §4), so NUL becomes U+FFFD here.
enum StoreText {
    static func storable(_ text: String) -> String {
        guard containsNUL(text) else { return text }
        return text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }

    /// memchr: this runs for every text field of every message of a batch, and the generic
    /// per-byte `utf8.contains` was the client's top profile entry.
    private static func containsNUL(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return false }
            return memchr(base, 0, utf8.count) != nil
        }
    }

    static func storable(_ text: String?) -> String? {
        text.map(storable)
    }

    /// A JSON string literal (RFC 8259 escaping), for the small jsonb summaries.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in storable(text).unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func jsonArray(_ attachments: [AttachmentSummary]) -> String {
        "[" + attachments.map { attachment in
            "{\"filename\":" + (attachment.filename.map(jsonString) ?? "null")
                + ",\"content_type\":" + jsonString(attachment.contentType)
                + ",\"size\":" + (attachment.size.map { String($0) } ?? "null") + "}"
        }.joined(separator: ",") + "]"
    }

    static func jsonArray(_ strings: [String]) -> String {
        "[" + strings.map(jsonString).joined(separator: ",") + "]"
    }
}
