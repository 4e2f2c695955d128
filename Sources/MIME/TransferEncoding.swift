/// Content-Transfer-Encoding (RFC 2045 §6).
public enum TransferEncoding: Sendable, Hashable, CustomStringConvertible {
    case sevenBit, eightBit, binary, base64, quotedPrintable
    /// `x-uuencode` and friends.
    case uuencode
    case other(String)

    public init(label: String) {
        switch label.lowercasedTrimmed {
        case "", "7bit", "7-bit": self = .sevenBit
        case "8bit", "8-bit": self = .eightBit
        case "binary": self = .binary
        case "base64", "base-64": self = .base64
        case "quoted-printable", "quotedprintable", "qp": self = .quotedPrintable
        case "x-uuencode", "uuencode", "x-uue", "uue": self = .uuencode
        case let other: self = .other(other)
        }
    }

    public var description: String {
        switch self {
        case .sevenBit: "7bit"
        case .eightBit: "8bit"
        case .binary: "binary"
        case .base64: "base64"
        case .quotedPrintable: "quoted-printable"
        case .uuencode: "x-uuencode"
        case .other(let s): s
        }
    }

    /// Decodes a body. Unknown encodings pass the bytes through (RFC 2049 §2 item 5 says to treat the
    /// part as application/octet-stream; for text we would rather show something).
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], truncated: Bool) {
        switch self {
        case .base64:
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count / 4 * 3)
            let complete = Base64.decodeLenient(bytes, into: &out)
            return (out, !complete)
        case .quotedPrintable:
            return (QuotedPrintable.decoded(bytes), false)
        case .uuencode:
            var out: [UInt8] = []
            _ = Uuencode.decodeBlock(bytes, into: &out)
            return (out, false)
        default:
            return (Array(bytes), false)
        }
    }

    public func decode(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { decode($0).bytes }
    }

    /// Decoded size without materialising the decoded bytes.
    func decodedSize(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        switch self {
        case .base64: return Base64.decodedSize(bytes)
        case .quotedPrintable: return QuotedPrintable.decodedSize(bytes)
        case .uuencode: return Uuencode.decodedSize(bytes)
        default: return bytes.count
        }
    }
}

enum Base64 {
    /// 0...63 for alphabet bytes, 64 for "=", 255 for everything else.
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 255, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        t[61] = 64
        return t
    }()

    /// Decodes, skipping line breaks and any non-alphabet byte (RFC 2045 §6.8 says to ignore them).
    /// Returns false when the data ends with an incomplete quantum (truncated input).
    @discardableResult
    static func decodeLenient(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        var acc: UInt32 = 0
        var count = 0
        var sawPadding = false
        table.withUnsafeBufferPointer { table in
            for b in bytes {
                let v = table[Int(b)]
                if v < 64 {
                    if sawPadding { continue }  // data after padding: ignored like most decoders do
                    acc = acc << 6 | UInt32(v)
                    count += 1
                    if count == 4 {
                        out.append(UInt8(truncatingIfNeeded: acc >> 16))
                        out.append(UInt8(truncatingIfNeeded: acc >> 8))
                        out.append(UInt8(truncatingIfNeeded: acc))
                        acc = 0
                        count = 0
                    }
                } else if v == 64 {
                    sawPadding = true
                }
            }
        }
        switch count {
        case 2: out.append(UInt8(truncatingIfNeeded: acc >> 4)); return sawPadding
        case 3:
            out.append(UInt8(truncatingIfNeeded: acc >> 10))
            out.append(UInt8(truncatingIfNeeded: acc >> 2))
            return sawPadding
        case 1: return false
        default: return true
        }
    }

    /// Size of the decoded data without decoding. Encoders write fixed-length lines, so after the
    /// first line (checked byte by byte) a line as long as the first, with its line break where
    /// expected, is checked eight bytes at a time for line breaks, whitespace, controls and 8-bit
    /// bytes (anything below "+" or above "z"). Junk inside that range (",", "-", ".", ":", "@", …)
    /// in such a line is counted as a symbol: the one leniency that keeps a 2 MB attachment at memory
    /// speed. Lines of any other length, and the last line, are checked byte by byte.
    static func decodedSize(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        let n = buf.count
        var symbols = 0
        var pos = 0
        var padded = false
        var regularLength = -1   // content length of the first full line
        var regularBreak = 0     // 1 for LF, 2 for CRLF
        table.withUnsafeBufferPointer { table in
            while pos < n, !padded {
                if regularLength > 0 {
                    let breakAt = pos + regularLength
                    if breakAt + regularBreak < n, breakAt < n,
                       regularBreak == 1 ? buf[breakAt] == ASCII.lf : (buf[breakAt] == ASCII.cr && buf[breakAt + 1] == ASCII.lf),
                       buf[breakAt - 1] != ASCII.equals, isPlausibleBase64Run(buf, pos, breakAt) {
                        symbols += regularLength
                        pos = breakAt + regularBreak
                        continue
                    }
                }
                let (contentEnd, next) = buf.lineBounds(from: pos, to: n)
                var lineSymbols = 0
                var k = pos
                while k < contentEnd {
                    let v = table[Int(buf[k])]
                    if v < 64 { lineSymbols += 1 } else if v == 64 { padded = true; break }  // as decodeLenient: data after "=" is ignored
                    k += 1
                }
                if regularLength < 0, lineSymbols > 0, lineSymbols == contentEnd - pos, next > contentEnd {
                    regularLength = lineSymbols
                    regularBreak = next - contentEnd
                }
                symbols += lineSymbols
                pos = next
            }
        }
        return symbols / 4 * 3 + max(0, symbols % 4 - 1)
    }

    /// True when no byte of `lo..<hi` is below "+" (43) or above "z" (122). SWAR: a byte b < n sets
    /// its high bit in (x - n·0x01…) & ~x; a byte b > m sets it in (x + (127 - m)·0x01…) | x.
    @inline(__always)
    static func isPlausibleBase64Run(_ buf: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
        guard let base = buf.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = lo
        var bad: UInt64 = 0
        while i + 8 <= hi {
            let x = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            bad |= ((x &- ones &* 43) & ~x) | ((x &+ ones &* (127 - 122)) | x)
            i += 8
        }
        if bad & highs != 0 { return false }
        while i < hi {
            let b = buf[i]
            if b < 43 || b > 122 { return false }
            i += 1
        }
        return true
    }

    static func encode(_ bytes: [UInt8], lineLength: Int = 76) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 4 / 3 + bytes.count / 57 * 2 + 8)
        var lineLen = 0
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(v >> 6 & 63)] : ASCII.equals)
            out.append(i + 2 < bytes.count ? alphabet[Int(v & 63)] : ASCII.equals)
            i += 3
            lineLen += 4
            if lineLength > 0, lineLen >= lineLength, i < bytes.count {
                out.append(ASCII.cr)
                out.append(ASCII.lf)
                lineLen = 0
            }
        }
        return out
    }
}

enum QuotedPrintable {
    /// RFC 2045 §6.7 decoding. Leniencies: a malformed `=` escape is kept literally; literal trailing
    /// whitespace before a line break is removed (rule 3); lone CR or LF line ends are accepted and
    /// become CR LF. The output array is sized for the worst case (every lone line end becomes
    /// CR LF, at most doubling) and written through a pointer: the text part of most mail passes
    /// through here, and per-byte appends with their capacity checks were most of its cost.
    static func decoded(_ buf: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let n = buf.count
        return [UInt8](unsafeUninitializedCapacity: 2 * n) { out, written in
            var w = 0
            var i = 0
            while i < n {
                let runEnd = nextSpecial(buf, from: i)
                if runEnd > i {
                    var end = runEnd
                    // Literal whitespace before a hard line break is transport padding (rule 3).
                    if runEnd < n, buf[runEnd] != ASCII.equals {
                        while end > i, buf[end - 1] == ASCII.space || buf[end - 1] == ASCII.tab { end -= 1 }
                    }
                    if end > i {
                        UnsafeMutableRawPointer(out.baseAddress! + w).copyMemory(from: buf.baseAddress! + i, byteCount: end - i)
                        w += end - i
                    }
                }
                let j = runEnd
                if j >= n { break }
                let b = buf[j]
                if b == ASCII.equals {
                    if j + 2 < n, let hi = ASCII.hexValue(buf[j + 1]), let lo = ASCII.hexValue(buf[j + 2]) {
                        out[w] = hi << 4 | lo
                        w += 1
                        i = j + 3
                        continue
                    }
                    var k = j + 1
                    while k < n, buf[k] == ASCII.space || buf[k] == ASCII.tab { k += 1 }
                    if k >= n { i = n; continue }
                    if buf[k] == ASCII.cr { k += 1; if k < n, buf[k] == ASCII.lf { k += 1 }; i = k; continue }
                    if buf[k] == ASCII.lf { i = k + 1; continue }
                    out[w] = ASCII.equals
                    w += 1
                    i = j + 1
                    continue
                }
                out[w] = ASCII.cr
                out[w + 1] = ASCII.lf
                w += 2
                i = (b == ASCII.cr && j + 1 < n && buf[j + 1] == ASCII.lf) ? j + 2 : j + 1
            }
            written = w
        }
    }

    /// The next "=", CR or LF at or after `from`, or the end.
    @inline(__always)
    private static func nextSpecial(_ buf: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var j = from
        let n = buf.count
        while j < n {
            let b = buf[j]
            if b == ASCII.equals || b == ASCII.lf || b == ASCII.cr { return j }
            j += 1
        }
        return n
    }

    static func decodedSize(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        // Decoding in 64 KiB windows keeps memory bounded; a window boundary is moved to a line start.
        var total = 0
        var pos = 0
        while pos < buf.count {
            var end = min(buf.count, pos + (1 << 16))
            if end < buf.count, let nl = buf.firstIndex(of: ASCII.lf, from: end, to: buf.count) { end = nl + 1 } else if end < buf.count { end = buf.count }
            total += decoded(UnsafeBufferPointer(rebasing: buf[pos..<end])).count
            pos = end
        }
        return total
    }

    /// Encodes UTF-8 text for outgoing mail: CRLF line ends, soft breaks keep lines ≤ 76 characters.
    static func encode(_ text: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.count + text.count / 8)
        var lineLen = 0
        var i = 0
        func emit(_ chunk: [UInt8]) {
            if lineLen + chunk.count > 75 {
                out.append(contentsOf: [ASCII.equals, ASCII.cr, ASCII.lf])
                lineLen = 0
            }
            out.append(contentsOf: chunk)
            lineLen += chunk.count
        }
        while i < text.count {
            let b = text[i]
            if b == ASCII.lf || (b == ASCII.cr && i + 1 < text.count && text[i + 1] == ASCII.lf) {
                out.append(ASCII.cr); out.append(ASCII.lf)
                lineLen = 0
                i += b == ASCII.cr ? 2 : 1
                continue
            }
            let nextIsBreak = i + 1 >= text.count || text[i + 1] == ASCII.lf || text[i + 1] == ASCII.cr
            let literal = (b >= 33 && b <= 126 && b != ASCII.equals) || ((b == ASCII.space || b == ASCII.tab) && !nextIsBreak)
            if literal {
                emit([b])
            } else {
                emit([ASCII.equals, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
            i += 1
        }
        return out
    }
}
