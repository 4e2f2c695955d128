/// RFC 2047 encoded-words in unstructured text, display names and (non-standard, but common) quoted
/// filenames.
///
/// Adjacent encoded-words separated only by whitespace are joined without that whitespace (§6.2), and
/// their decoded bytes are concatenated *before* charset conversion when the charsets match, so a
/// multi-byte character split across two words (common from mailers that cut at a byte count) decodes
/// whole. Leniencies: encoded-words not delimited by whitespace are still decoded; the language suffix
/// of RFC 2231 (`utf-8*en`) is ignored; missing base64 padding is accepted.
enum EncodedWords {
    static func decode(_ text: String, converter: CharsetConverter, defects: inout [String]) -> String {
        decode(Array(text.utf8), converter: converter, defects: &defects)
    }

    static func decode(_ bytes: [UInt8], converter: CharsetConverter, defects: inout [String]) -> String {
        bytes.withUnsafeBufferPointer { decode($0, converter: converter, defects: &defects) }
    }

    static func decode(_ buf: UnsafeBufferPointer<UInt8>, converter: CharsetConverter, defects: inout [String]) -> String {
        // Fast path: no "=?" means nothing to decode.
        guard buf.firstIndex(of: [ASCII.equals, ASCII.question], from: 0, to: buf.count) != nil else {
            return CharsetConverter.fallback(buf)
        }
        var out = ""
        var literalStart = 0          // start of the pending literal run
        var pendingBytes: [UInt8] = []
        var pendingCharset: String?   // charset of pendingBytes (lowercased)
        var lastWordEnd = -1          // end of the previous encoded-word, to detect "only whitespace between"

        func flushPending() {
            guard let charset = pendingCharset else { return }
            out += converter.decode(pendingBytes, charset: charset, defects: &defects)
            pendingBytes.removeAll(keepingCapacity: true)
            pendingCharset = nil
        }
        func appendLiteral(_ lo: Int, _ hi: Int) {
            guard hi > lo else { return }
            flushPending()
            out += CharsetConverter.fallback(UnsafeBufferPointer(rebasing: buf[lo..<hi]))
        }

        var i = 0
        let n = buf.count
        while i + 1 < n {
            guard buf[i] == ASCII.equals, buf[i + 1] == ASCII.question, let word = parseWord(buf, at: i) else {
                i += 1
                continue
            }
            let onlyWhitespaceBetween = lastWordEnd >= 0 && (lastWordEnd..<i).allSatisfy { ASCII.isWhitespace(buf[$0]) }
            if !onlyWhitespaceBetween { appendLiteral(literalStart, i) }
            let charset = word.charset
            if pendingCharset != nil, pendingCharset != charset { flushPending() }
            if !converter.canDecode(charset) {
                flushPending()
                defects.append("encoded-word in unknown charset \(charset)")
            }
            pendingCharset = charset
            let payload = UnsafeBufferPointer(rebasing: buf[word.payload])
            if word.isBase64 {
                Base64.decodeLenient(payload, into: &pendingBytes)
            } else {
                decodeQ(payload, into: &pendingBytes)
            }
            i = word.end
            lastWordEnd = word.end
            literalStart = word.end
        }
        appendLiteral(literalStart, n)
        flushPending()
        return out
    }

    static let maxPayloadScan = 2048

    struct Word {
        var charset: String
        var isBase64: Bool
        var payload: Range<Int>
        var end: Int
    }

    /// Parses `=?charset?B|Q?payload?=` at `start`.
    static func parseWord(_ buf: UnsafeBufferPointer<UInt8>, at start: Int) -> Word? {
        let n = buf.count
        var i = start + 2
        let charsetStart = i
        while i < n, buf[i] != ASCII.question {
            if ASCII.isWhitespace(buf[i]) || i - charsetStart > 64 { return nil }
            i += 1
        }
        guard i + 3 < n, i > charsetStart, buf[i + 2] == ASCII.question else { return nil }
        let charsetEnd = i
        let encoding = ASCII.lower(buf[i + 1])
        guard encoding == 98 || encoding == 113 else { return nil }  // b, q
        let payloadStart = i + 3
        var j = payloadStart
        // RFC 2047 caps a word at 75 characters; real mail exceeds that, but an unterminated word
        // must not make every later "=?" rescan the rest of the field (quadratic time).
        let scanLimit = min(n, payloadStart + maxPayloadScan)
        while j + 1 < scanLimit {
            if buf[j] == ASCII.question, buf[j + 1] == ASCII.equals { break }
            if ASCII.isWhitespace(buf[j]) { return nil }
            j += 1
        }
        guard j + 1 < scanLimit else { return nil }
        guard j + 1 < n else { return nil }
        var charsetBytes = Array(UnsafeBufferPointer(rebasing: buf[charsetStart..<charsetEnd]))
        if let star = charsetBytes.firstIndex(of: 42) { charsetBytes.removeSubrange(star...) }
        for k in charsetBytes.indices { charsetBytes[k] = ASCII.lower(charsetBytes[k]) }
        return Word(
            charset: String(decoding: charsetBytes, as: UTF8.self),
            isBase64: encoding == 98,
            payload: payloadStart..<j,
            end: j + 2
        )
    }

    static func decodeQ(_ payload: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        let n = payload.count
        while i < n {
            let b = payload[i]
            if b == 95 {  // "_" is a space in Q encoding
                out.append(ASCII.space)
            } else if b == ASCII.equals, i + 2 < n, let hi = ASCII.hexValue(payload[i + 1]),
                      let lo = ASCII.hexValue(payload[i + 2]) {
                out.append(hi << 4 | lo)
                i += 2
            } else {
                out.append(b)
            }
            i += 1
        }
    }
}
