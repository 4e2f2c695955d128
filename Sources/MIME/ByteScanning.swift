#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level helpers shared by the parsers. Everything works on buffer offsets so that no
/// per-line `String` or `Array` is ever allocated on the hot path.
enum ASCII {
    static let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9
    static let colon: UInt8 = 58, semicolon: UInt8 = 59, equals: UInt8 = 61, quote: UInt8 = 34
    static let backslash: UInt8 = 92, hyphen: UInt8 = 45, question: UInt8 = 63

    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
        b == space || b == tab || b == cr || b == lf
    }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 {
        (b >= 65 && b <= 90) ? b | 0x20 : b
    }
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Offset of the first `byte` in `from..<to`, or nil (memchr: vectorised by glibc).
    @inline(__always)
    func firstIndex(of byte: UInt8, from: Int, to: Int) -> Int? {
        guard from < to, let base = baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// Offset of the first occurrence of `needle` in `from..<to`, or nil. memchr finds candidates for
    /// the first byte (glibc's memmem is a GNU extension Swift does not import); memcmp confirms.
    func firstIndex(of needle: [UInt8], from: Int, to: Int) -> Int? {
        guard let first = needle.first, from < to, to - from >= needle.count, let base = baseAddress else { return nil }
        return needle.withUnsafeBufferPointer { n -> Int? in
            var pos = from
            let lastStart = to - n.count
            while pos <= lastStart {
                guard let hit = memchr(base + pos, Int32(first), lastStart - pos + 1) else { return nil }
                let offset = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + offset, n.baseAddress!, n.count) == 0 { return offset }
                pos = offset + 1
            }
            return nil
        }
    }

    /// End of the line that starts at `from`: (content end excluding CR LF, start of next line).
    @inline(__always)
    func lineBounds(from: Int, to: Int) -> (contentEnd: Int, next: Int) {
        if let nl = firstIndex(of: ASCII.lf, from: from, to: to) {
            let end = (nl > from && self[nl - 1] == ASCII.cr) ? nl - 1 : nl
            return (end, nl + 1)
        }
        return (to, to)
    }
}

extension Array where Element == UInt8 {
    func trimmingWhitespace() -> ArraySlice<UInt8> {
        var lo = startIndex, hi = endIndex
        while lo < hi, ASCII.isWhitespace(self[lo]) { lo += 1 }
        while hi > lo, ASCII.isWhitespace(self[hi - 1]) { hi -= 1 }
        return self[lo..<hi]
    }
}

extension StringProtocol {
    /// Lowercased, whitespace-trimmed copy: the canonical form of tokens such as media types.
    var lowercasedTrimmed: String {
        let trimmed = self.utf8.drop(while: { ASCII.isWhitespace($0) })
        var bytes = Array(trimmed)
        while let last = bytes.last, ASCII.isWhitespace(last) { bytes.removeLast() }
        for i in bytes.indices { bytes[i] = ASCII.lower(bytes[i]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
