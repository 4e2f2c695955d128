/// RFC 5322 §3.4 address lists, read leniently.
///
/// Handles display names (quoted, with encoded-words, even encoded-words inside quotes), comments
/// (`addr (Name)` becomes the name when there is no other), groups (`team: a@x, b@y;` yields the
/// members; an empty group yields nothing), obsolete route syntax (`<@relay:user@host>`), and breakage:
/// missing angle brackets (`Name user@host`), an unclosed `<`, stray commas, and 8-bit names.
enum AddressListParser {
    static func parse(
        _ raw: [UInt8], converter: CharsetConverter, limit: Int, defects: inout [String]
    ) -> [Mailbox] {
        raw.withUnsafeBufferPointer { parse($0, converter: converter, limit: limit, defects: &defects) }
    }

    static func parse(
        _ buf: UnsafeBufferPointer<UInt8>, converter: CharsetConverter, limit: Int, defects: inout [String]
    ) -> [Mailbox] {
        var result: [Mailbox] = []
        var itemStart = 0
        var i = 0
        let n = buf.count
        var inQuote = false
        var commentDepth = 0
        var inAngle = false
        var truncated = false
        // Where the last ">" is: a "," inside "<…" with no ">" after it ends the unclosed bracket.
        var lastClosingAngle = -1
        if n > 0 { var k = n - 1; while k >= 0 { if buf[k] == 62 { lastClosingAngle = k; break }; k -= 1 } }
        func finishItem(_ end: Int) {
            if itemStart < end {
                if result.count >= limit { truncated = true } else if let m = parseMailbox(buf, itemStart, end, converter, &defects) {
                    result.append(m)
                }
            }
            itemStart = end + 1
        }
        while i < n {
            let b = buf[i]
            if inQuote {
                if b == ASCII.backslash { i += 2; continue }
                if b == ASCII.quote { inQuote = false }
            } else if commentDepth > 0 {
                if b == ASCII.backslash { i += 2; continue }
                if b == 40 { commentDepth += 1 } else if b == 41 { commentDepth -= 1 }
            } else if inAngle {
                if b == 62 { inAngle = false }
                else if b == ASCII.quote { inQuote = true }
                else if b == 44 && lastClosingAngle < i { inAngle = false; finishItem(i) }
            } else {
                switch b {
                case ASCII.quote: inQuote = true
                case 40: commentDepth = 1
                case 60: inAngle = true
                case 44, ASCII.semicolon: finishItem(i)  // "," or a group's ";"
                case ASCII.colon:
                    // A group name ends here unless this colon is inside an obsolete route "<@a:b>"
                    // (we are not in angle brackets) — the group name itself is not a mailbox.
                    itemStart = i + 1
                default: break
                }
            }
            i += 1
        }
        if inQuote || inAngle { defects.append("unterminated quote or angle bracket in address list") }
        finishItem(n)
        if truncated { defects.append("address list longer than \(limit) entries truncated") }
        return result
    }

    /// One mailbox from `lo..<hi`: `[phrase] <addr>` or `addr [(comment)]` or `phrase addr`.
    private static func parseMailbox(
        _ buf: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ converter: CharsetConverter, _ defects: inout [String]
    ) -> Mailbox? {
        // Find the top-level "<" outside quotes and comments.
        var angle = -1
        var i = lo
        var inQuote = false
        var depth = 0
        var comments: [Range<Int>] = []
        var commentStart = -1
        while i < hi {
            let b = buf[i]
            if inQuote {
                if b == ASCII.backslash { i += 2; continue }
                if b == ASCII.quote { inQuote = false }
            } else if depth > 0 {
                if b == ASCII.backslash { i += 2; continue }
                if b == 40 { depth += 1 } else if b == 41 { depth -= 1; if depth == 0 { comments.append(commentStart..<i) } }
            } else if b == ASCII.quote {
                inQuote = true
            } else if b == 40 {
                depth = 1
                commentStart = i + 1
            } else if b == 60 {
                angle = i
                break
            }
            i += 1
        }
        if angle >= 0 {
            var close = angle + 1
            while close < hi, buf[close] != 62 { close += 1 }
            var address = cleanAddress(buf, angle + 1, close)
            let name = phrase(buf, lo, angle, converter, &defects)
            if address.isEmpty, let name, name.contains("@") {
                address = name  // "<>"-less junk such as `user@host <>`: keep the visible address
                return Mailbox(name: nil, address: address)
            }
            if address.isEmpty && name == nil { return nil }
            return Mailbox(name: name, address: address)
        }
        // No angle brackets: an addr-spec, with an optional comment as the name, or "Name addr@x".
        let bare = stripComments(buf, lo, hi)
        let words = bare.split(whereSeparator: { $0 == ASCII.space || $0 == ASCII.tab || $0 == ASCII.cr || $0 == ASCII.lf })
        guard !words.isEmpty else { return nil }
        if words.count > 1, let last = words.last, last.contains(64), !bare.contains(ASCII.quote) || !last.contains(ASCII.quote) {
            // Missing brackets: "John Smith john@example.com"
            let nameBytes = Array(bare[..<last.startIndex])
            let name = phrase(nameBytes, converter, &defects)
            defects.append("address without angle brackets after a display name")
            return Mailbox(name: name, address: String(decoding: last, as: UTF8.self))
        }
        let address = String(decoding: bare.trimmingWhitespace(), as: UTF8.self)
        var name: String?
        if let comment = comments.first {
            name = phrase(Array(UnsafeBufferPointer(rebasing: buf[comment])), converter, &defects)
        }
        return Mailbox(name: name, address: address)
    }

    /// The address inside angle brackets: route removed, whitespace and comments removed.
    private static func cleanAddress(_ buf: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> String {
        // The usual `user@host`: nothing to strip (no comment, quote or whitespace), no route.
        let slice = UnsafeBufferPointer(rebasing: buf[lo..<hi])
        if slice.first != 64, !slice.contains(where: { $0 == 40 || $0 == 41 || $0 == ASCII.quote || ASCII.isWhitespace($0) }) {
            return CharsetConverter.fallback(slice)
        }
        var bytes = stripComments(buf, lo, hi).filter { !ASCII.isWhitespace($0) }
        if bytes.first == 64, let colon = bytes.firstIndex(of: ASCII.colon) {  // obsolete route "@a,@b:"
            bytes.removeSubrange(...colon)
        }
        if bytes.count >= 2, bytes.first == ASCII.quote, let at = bytes.lastIndex(of: 64), at > 0, bytes[at - 1] == ASCII.quote {
            // "local part"@domain: keep the quotes only when the local part needs them.
            let local = bytes[1..<(at - 1)]
            if !local.contains(where: { $0 == ASCII.space || $0 == 64 || $0 == 44 }) {
                bytes = Array(local) + bytes[at...]
            }
        }
        return CharsetConverter.fallback(bytes[...])
    }

    private static func stripComments(_ buf: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hi - lo)
        var depth = 0
        var inQuote = false
        var i = lo
        while i < hi {
            let b = buf[i]
            if depth == 0 && b == ASCII.quote { inQuote.toggle() }
            if !inQuote {
                if b == 40 { depth += 1; i += 1; continue }
                if b == 41, depth > 0 { depth -= 1; i += 1; continue }
            }
            if depth == 0 { out.append(b) }
            i += 1
        }
        return out
    }

    private static func phrase(
        _ buf: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ converter: CharsetConverter, _ defects: inout [String]
    ) -> String? {
        phrase(Array(UnsafeBufferPointer(rebasing: buf[lo..<hi])), converter, &defects)
    }

    /// A display name: quotes removed (escapes resolved), comments dropped, encoded-words decoded
    /// (inside quotes too), whitespace collapsed. Nil when empty.
    static func phrase(_ bytes: [UInt8], _ converter: CharsetConverter, _ defects: inout [String]) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var inQuote = false
        var depth = 0
        var commentText: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if inQuote {
                if b == ASCII.backslash, i + 1 < bytes.count { out.append(bytes[i + 1]); i += 2; continue }
                if b == ASCII.quote { inQuote = false; i += 1; continue }
                out.append(b)
            } else if depth > 0 {
                if b == 40 { depth += 1 } else if b == 41 { depth -= 1 } else { commentText.append(b) }
            } else if b == ASCII.quote {
                inQuote = true
            } else if b == 40 {
                depth = 1
            } else {
                out.append(b)
            }
            i += 1
        }
        if out.allSatisfy({ ASCII.isWhitespace($0) }) { out = commentText }
        let decoded = EncodedWords.decode(out, converter: converter, defects: &defects)
        if let simple = collapsedWithoutGraphemes(decoded) { return simple.isEmpty ? nil : simple }
        let collapsed = decoded.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
        return collapsed.isEmpty ? nil : collapsed
    }

    /// What collapsing whitespace (the Character-level split and join above) gives, decided on
    /// bytes for the usual name: no tab, CR or LF, no two spaces in a row, at most a space at
    /// either end. Inner single spaces then stay as they are, separators or not. An end space
    /// is dropped when its neighbour is ASCII, which makes it a Character of its own; next to
    /// other text (a combining mark after it, a prepended mark before it) nil sends the name
    /// to the Character-level path.
    static func collapsedWithoutGraphemes(_ text: String) -> String? {
        enum Outcome { case unchanged, trimmed(String), needsGraphemes }
        var copy = text
        let outcome = copy.withUTF8 { bytes -> Outcome in
            var previousWasSpace = false
            for byte in bytes {
                if byte == ASCII.tab || byte == ASCII.cr || byte == ASCII.lf { return .needsGraphemes }
                let isSpace = byte == ASCII.space
                if isSpace && previousWasSpace { return .needsGraphemes }
                previousWasSpace = isSpace
            }
            var lo = 0, hi = bytes.count
            if hi > 0, bytes[0] == ASCII.space {
                if hi > 1, bytes[1] >= 0x80 { return .needsGraphemes }
                lo = 1
            }
            if hi > lo, bytes[hi - 1] == ASCII.space {
                if hi - 2 >= lo, bytes[hi - 2] >= 0x80 { return .needsGraphemes }
                hi -= 1
            }
            if lo == 0 && hi == bytes.count { return .unchanged }
            return .trimmed(String(decoding: UnsafeBufferPointer(rebasing: bytes[lo..<hi]), as: UTF8.self))
        }
        switch outcome {
        case .unchanged: return text
        case .trimmed(let trimmed): return trimmed
        case .needsGraphemes: return nil
        }
    }
}
