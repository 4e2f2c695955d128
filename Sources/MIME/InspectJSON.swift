/// The `touchpoint inspect --json` line (DESIGN §7): one compact JSON object, keys in the documented
/// order. Hand-written so the order is stable and no Foundation JSON bridging is needed.
extension ParsedMessage {
    public func inspectJSON(file: String) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("file"); json.string(file)
        json.key("message_id"); json.optionalString(messageID)
        json.key("in_reply_to"); json.stringArray(inReplyTo)
        json.key("references"); json.stringArray(references)
        json.key("date"); json.optionalString(date.map(DateParser.rfc3339))
        json.key("subject"); json.optionalString(subject)
        for (key, list) in [("from", from), ("to", to), ("cc", cc), ("reply_to", replyTo)] {
            json.key(key)
            json.beginArray()
            for mailbox in list {
                json.beginObject()
                json.key("name"); json.optionalString(mailbox.name)
                json.key("address"); json.string(mailbox.address)
                json.endObject()
            }
            json.endArray()
        }
        json.key("text"); json.optionalString(text)
        json.key("attachments")
        json.beginArray()
        for attachment in attachments {
            json.beginObject()
            json.key("filename"); json.optionalString(attachment.filename)
            json.key("content_type"); json.string(attachment.contentType)
            json.key("size"); json.raw(String(attachment.size))
            json.endObject()
        }
        json.endArray()
        json.key("automated"); json.raw(automated == nil ? "false" : "true")
        json.key("defects"); json.stringArray(defects)
        json.endObject()
        return json.output
    }
}

/// Minimal JSON text writer with correct string escaping (RFC 8259 §7).
struct JSONWriter {
    private(set) var output = ""
    private var needsComma = false

    mutating func beginObject() { separator(); output += "{"; needsComma = false }
    mutating func endObject() { output += "}"; needsComma = true }
    mutating func beginArray() { separator(); output += "["; needsComma = false }
    mutating func endArray() { output += "]"; needsComma = true }

    mutating func key(_ name: String) {
        separator()
        appendEscaped(name)
        output += ":"
        needsComma = false
    }

    mutating func string(_ value: String) { separator(); appendEscaped(value); needsComma = true }
    mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }
    mutating func raw(_ literal: String) { separator(); output += literal; needsComma = true }
    mutating func stringArray(_ values: [String]) {
        beginArray()
        for v in values { string(v) }
        endArray()
    }

    private mutating func separator() {
        if needsComma { output += "," }
    }

    private mutating func appendEscaped(_ s: String) {
        output += "\""
        let hex = Array("0123456789abcdef")
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"  // valid JSON, but breaks JavaScript consumers of JSON Lines
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let v = Int(scalar.value)
                    output += "\\u00" + String(hex[v >> 4]) + String(hex[v & 15])
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
