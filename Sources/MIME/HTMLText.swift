/// HTML to readable plain text for snippets: tags removed, block elements become line breaks,
/// `script`/`style`/`head` content dropped, entities decoded, whitespace collapsed. Works on UTF-8
/// bytes; it is not an HTML parser and does not try to be one.
enum HTMLText {
    static func toText(_ html: String) -> String {
        var bytes = Array(html.utf8)
        bytes.append(0)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        let n = bytes.count - 1
        var i = 0
        var pendingSpace = false
        var pendingNewlines = 0
        func emit(_ b: UInt8) {
            if pendingNewlines > 0, !out.isEmpty {
                out.append(contentsOf: repeatElement(ASCII.lf, count: pendingNewlines))
            } else if pendingSpace, !out.isEmpty, out.last != ASCII.lf {
                out.append(ASCII.space)
            }
            pendingNewlines = 0
            pendingSpace = false
            out.append(b)
        }
        func newline(_ count: Int) { pendingNewlines = max(pendingNewlines, count); pendingSpace = false }

        func emitScalar(_ s: Unicode.Scalar) {
            var encoded: [UInt8] = []
            UTF8.encode(s) { encoded.append($0) }
            for (k, e) in encoded.enumerated() {
                if k == 0 { emit(e) } else { out.append(e) }
            }
        }
        while i < n {
            let b = bytes[i]
            if b == 60 {  // "<"
                if bytes[i + 1] == 33, bytes[i + 2] == ASCII.hyphen, i + 3 < n, bytes[i + 3] == ASCII.hyphen {  // comment
                    var j = i + 4
                    while j + 2 < n, !(bytes[j] == ASCII.hyphen && bytes[j + 1] == ASCII.hyphen && bytes[j + 2] == 62) { j += 1 }
                    i = min(n, j + 3)
                    continue
                }
                var j = i + 1
                let closing = bytes[j] == 47
                if closing { j += 1 }
                let nameStart = j
                while j < n, (bytes[j] >= 65 && bytes[j] <= 90) || (bytes[j] >= 97 && bytes[j] <= 122) || (bytes[j] >= 48 && bytes[j] <= 57) { j += 1 }
                let name = String(decoding: bytes[nameStart..<j].map { ASCII.lower($0) }, as: UTF8.self)
                if name.isEmpty, !closing, bytes[j] != 33, bytes[j] != ASCII.question {
                    emit(b)  // a literal "<"
                    i += 1
                    continue
                }
                // Skip to the end of the tag, respecting quoted attribute values.
                var quote: UInt8 = 0
                while j < n {
                    let c = bytes[j]
                    if quote != 0 { if c == quote { quote = 0 } } else if c == ASCII.quote || c == 39 { quote = c } else if c == 62 { break }
                    j += 1
                }
                i = min(n, j + 1)
                if !closing, name == "script" || name == "style" || name == "head" || name == "title" {
                    let endTag = Array("</\(name)".utf8)
                    var k = i
                    while k + endTag.count <= n {
                        if bytes[k] == 60, zip(bytes[k..<(k + endTag.count)], endTag).allSatisfy({ ASCII.lower($0) == $1 }) { break }
                        k += 1
                    }
                    i = k
                    continue
                }
                switch name {
                case "br": newline(1)
                case "p", "div", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "hr":
                    newline(closing || name == "div" || name == "tr" ? 1 : 2)
                case "li":
                    if !closing { newline(1); emit(42); emit(ASCII.space) }
                case "td", "th":
                    if !closing { pendingSpace = true }
                default: break
                }
                continue
            }
            if b == 38 {  // "&"
                var j = i + 1
                while j < n, j - i < 12, bytes[j] != 59, bytes[j] != 38, !ASCII.isWhitespace(bytes[j]), bytes[j] != 60 { j += 1 }
                if j < n, bytes[j] == 59, let scalar = entity(bytes[(i + 1)..<j]) {
                    if scalar == " " || scalar == "\u{A0}" {
                        pendingSpace = pendingSpace || scalar == " "
                        if scalar == "\u{A0}" { emitScalar(scalar) }
                    } else {
                        emitScalar(scalar)
                    }
                    i = j + 1
                    continue
                }
                emit(b)
                i += 1
                continue
            }
            if ASCII.isWhitespace(b) {
                if pendingNewlines == 0 { pendingSpace = true }
                i += 1
                continue
            }
            emit(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)

    }

    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "\u{A9}",
        "reg": "\u{AE}", "hellip": "\u{2026}", "mdash": "\u{2014}", "ndash": "\u{2013}", "laquo": "\u{AB}",
        "raquo": "\u{BB}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}", "rdquo": "\u{201D}",
        "euro": "\u{20AC}", "bull": "\u{2022}", "middot": "\u{B7}", "trade": "\u{2122}", "shy": "\u{AD}",
        "eacute": "\u{E9}", "aacute": "\u{E1}", "oacute": "\u{F3}", "uacute": "\u{FA}", "iacute": "\u{ED}",
        "ouml": "\u{F6}", "uuml": "\u{FC}", "auml": "\u{E4}", "szlig": "\u{DF}", "ccedil": "\u{E7}",
        "egrave": "\u{E8}", "agrave": "\u{E0}", "zwnj": "\u{200C}", "zwj": "\u{200D}",
    ]

    private static func entity(_ body: ArraySlice<UInt8>) -> Unicode.Scalar? {
        guard let first = body.first else { return nil }
        if first == 35 {  // "#"
            var digits = body.dropFirst()
            var radix: UInt32 = 10
            if let x = digits.first, x == 120 || x == 88 { radix = 16; digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.count <= 8 else { return nil }
            var v: UInt32 = 0
            for d in digits {
                guard let h = ASCII.hexValue(d), UInt32(h) < radix else { return nil }
                v = v * radix + UInt32(h)
            }
            if v == 0 { return "\u{FFFD}" }
            return Unicode.Scalar(v) ?? "\u{FFFD}"
        }
        return named[String(decoding: body, as: UTF8.self)] ?? named[String(decoding: body, as: UTF8.self).lowercased()]
    }
}
