/// Message-ID, In-Reply-To and References (RFC 5322 §3.6.4), returned without angle brackets.
///
/// Leniencies: ids without brackets (a bare `local@domain` word) are accepted; comments and phrases
/// between ids (obsolete syntax) are skipped; whitespace inside brackets (folding mistakes) is removed;
/// the list is bounded.
public enum MessageIDParser {
    public static let maxIDs = 500

    public static func parseList(_ raw: [UInt8]) -> [String] {
        var ids: [String] = []
        var i = 0
        let n = raw.count
        while i < n, ids.count < maxIDs {
            let b = raw[i]
            if b == 40 {  // comment
                var depth = 0
                while i < n {
                    if raw[i] == 40 { depth += 1 } else if raw[i] == 41 { depth -= 1; if depth == 0 { break } }
                    i += 1
                }
                i += 1
                continue
            }
            if b == 60 {
                var j = i + 1
                while j < n, raw[j] != 62, raw[j] != 60 { j += 1 }
                let inner = raw[(i + 1)..<j].filter { !ASCII.isWhitespace($0) }
                if !inner.isEmpty { ids.append(CharsetConverter.fallback(inner[...])) }
                i = (j < n && raw[j] == 62) ? j + 1 : j
                continue
            }
            if ASCII.isWhitespace(b) || b == 44 { i += 1; continue }
            // A bare word: accept it as an id when it looks like one (has an "@").
            var j = i
            while j < n, !ASCII.isWhitespace(raw[j]), raw[j] != 60, raw[j] != 44, raw[j] != 40 { j += 1 }
            let word = raw[i..<j]
            if word.contains(64), !word.contains(ASCII.quote) { ids.append(CharsetConverter.fallback(word)) }
            i = j
        }
        return ids
    }

    public static func parseSingle(_ raw: [UInt8]) -> String? { parseList(raw).first }
}
