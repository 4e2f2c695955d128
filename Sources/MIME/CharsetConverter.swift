#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes bytes in a named charset to a `String`. Invalid or incomplete sequences become U+FFFD and
/// are reported, never dropped silently.
///
/// iconv descriptors are expensive to open (glibc loads a gconv module and builds tables), so each
/// converter caches them per charset. A converter is confined to one parse on one thread: that is why
/// it is a plain (non-Sendable) final class; it is never stored in a Sendable value.
final class CharsetConverter {
    private var descriptors: [String: iconv_t] = [:]
    private var unavailable: Set<String> = []
    /// Label → decoding plan; labels repeat on every part, and resolving one is dozens of comparisons.
    private var plans: [String: CharsetDecoding] = [:]

    private func plan(_ label: String) -> CharsetDecoding {
        if let known = plans[label] { return known }
        let resolved = CharsetDecoding.forLabel(label)
        if plans.count < 64 { plans[label] = resolved }
        return resolved
    }
    /// Bounds the number of open descriptors a message with many distinct labels can cause.
    private static let maxOpenDescriptors = 24

    init() {}

    deinit {
        for cd in descriptors.values { iconv_close(cd) }
    }

    /// Whether the label names a charset this converter can decode.
    func canDecode(_ label: String) -> Bool {
        switch plan(label) {
        case .utf8, .ascii, .windows1252: return true
        case .unknown: return false
        case .iconv(let candidates): return candidates.contains { descriptor(for: $0) != nil }
        }
    }

    /// Whether the charset decodes the bytes CR and LF to CR and LF, one to one, and an ASCII byte
    /// never takes part in a longer sequence (so removing one cannot change how its neighbours
    /// decode): UTF-8, US-ASCII and windows-1252, not UTF-16, not ISO-2022.
    func mapsLineEndsOneToOne(_ label: String) -> Bool {
        switch plan(label) {
        case .utf8, .ascii, .windows1252: return true
        case .iconv, .unknown: return false
        }
    }

    func decode(_ bytes: UnsafeBufferPointer<UInt8>, charset: String, defects: inout [String]) -> String {
        decode(bytes, charset: charset, normalizingLineEnds: false, defects: &defects)
    }

    /// With `normalizingLineEnds`, the text's CR LF and bare CR become LF (as
    /// `TextPartDecoder.normalizeLineEnds` does): on iconv's UTF-8 output, before the string is
    /// made, so the text is not copied a second time.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>, charset: String, normalizingLineEnds: Bool, defects: inout [String]) -> String {
        if normalizingLineEnds, case .iconv(let candidates) = plan(charset),
           let cd = candidates.lazy.compactMap({ self.descriptor(for: $0) }).first {
            return Self.convert(bytes, with: cd, label: charset, normalizingLineEnds: true, defects: &defects)
        }
        let text = decodeKeepingLineEnds(bytes, charset: charset, defects: &defects)
        return normalizingLineEnds ? TextPartDecoder.normalizeLineEnds(text) : text
    }

    private func decodeKeepingLineEnds(_ bytes: UnsafeBufferPointer<UInt8>, charset: String, defects: inout [String]) -> String {
        switch plan(charset) {
        case .utf8:
            return Self.decodeUTF8(bytes, label: "utf-8", defects: &defects)
        case .ascii:
            if Self.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            // 8-bit bytes under an ASCII (or absent) label: in practice UTF-8, else a Windows codepage.
            if let s = String(validating: bytes, as: UTF8.self) { return s }
            defects.append("8-bit bytes in text labelled \(charset.isEmpty ? "us-ascii" : charset): decoded as windows-1252")
            return Self.decodeWindows1252(bytes)
        case .windows1252:
            return Self.decodeWindows1252(bytes)
        case .iconv(let candidates):
            for name in candidates {
                if let cd = descriptor(for: name) {
                    return Self.convert(bytes, with: cd, label: charset, normalizingLineEnds: false, defects: &defects)
                }
            }
            defects.append("charset \(charset) not available: decoded as UTF-8 or windows-1252")
            return Self.fallback(bytes)
        case .unknown(let label):
            defects.append("unknown charset \(label): decoded as UTF-8 or windows-1252")
            return Self.fallback(bytes)
        }
    }

    func decode(_ bytes: [UInt8], charset: String, defects: inout [String]) -> String {
        bytes.withUnsafeBufferPointer { decode($0, charset: charset, defects: &defects) }
    }

    // MARK: - iconv

    private func descriptor(for name: String) -> iconv_t? {
        if let cd = descriptors[name] { return cd }
        if unavailable.contains(name) { return nil }
        let cd = iconv_open("UTF-8", name)
        if cd == nil || cd == iconv_t(bitPattern: -1) {
            if unavailable.count < 256 { unavailable.insert(name) }
            return nil
        }
        if descriptors.count >= Self.maxOpenDescriptors, let (oldName, oldCD) = descriptors.first {
            iconv_close(oldCD)
            descriptors[oldName] = nil
        }
        descriptors[name] = cd
        return cd
    }

    private static func convert(
        _ bytes: UnsafeBufferPointer<UInt8>, with cd: iconv_t, label: String, normalizingLineEnds: Bool, defects: inout [String]
    ) -> String {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return "" }
        _ = iconv(cd, nil, nil, nil, nil)  // reset shift state left by a previous use
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2 + 16)
        var invalidCount = 0
        var truncated = false
        let chunkSize = 16 * 1024
        let chunk = UnsafeMutablePointer<CChar>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }

        var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base)
            .assumingMemoryBound(to: CChar.self)
        var inLeft = bytes.count
        func flush(_ outPtr: UnsafeMutablePointer<CChar>?) {
            guard let outPtr else { return }
            let produced = chunk.distance(to: outPtr)
            chunk.withMemoryRebound(to: UInt8.self, capacity: produced) {
                output.append(contentsOf: UnsafeBufferPointer(start: $0, count: produced))
            }
        }
        while inLeft > 0 {
            var outPtr: UnsafeMutablePointer<CChar>? = chunk
            var outLeft = chunkSize
            let result = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            let failure = result == -1 ? errno : 0
            flush(outPtr)
            if result != -1 { break }
            switch failure {
            case E2BIG:
                continue
            case EILSEQ:
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                invalidCount += 1
                inPtr = inPtr.map { $0 + 1 }
                inLeft -= 1
            case EINVAL:
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                truncated = true
                inLeft = 0
            default:
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                invalidCount += 1
                inLeft = 0
            }
        }
        var outPtr: UnsafeMutablePointer<CChar>? = chunk
        var outLeft = chunkSize
        _ = iconv(cd, nil, nil, &outPtr, &outLeft)  // flush a stateful encoding's final shift
        flush(outPtr)
        if invalidCount > 0 {
            defects.append("\(invalidCount) invalid byte sequence(s) in \(label) text replaced by U+FFFD")
        }
        if truncated { defects.append("incomplete \(label) sequence at end of text replaced by U+FFFD") }
        if normalizingLineEnds { TextPartDecoder.normalizeLineEnds(&output) }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: - Fast paths

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        // Eight bytes at a time: the high bit of any byte makes the word non-ASCII.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
        }
        while i < n {
            if bytes[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    static func decodeUTF8(_ bytes: UnsafeBufferPointer<UInt8>, label: String, defects: inout [String]) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        defects.append("invalid \(label) byte sequence(s) replaced by U+FFFD")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// UTF-8 when valid, else windows-1252: what raw 8-bit header bytes and unknown labels mostly are.
    static func fallback(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return decodeWindows1252(bytes)
    }

    static func fallback(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { fallback($0) }
    }

    private static let windows1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Writes the UTF-8 of each byte's scalar straight into the string's storage: appending
    /// scalars to a `String.UnicodeScalarView` one at a time cost more than the rest of the
    /// text decoding. Every table entry is below U+10000, so a byte needs at most 3 UTF-8 bytes.
    static func decodeWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: bytes.count * 3) { out in
            var k = 0
            for b in bytes {
                if b < 0x80 {
                    out[k] = b
                    k += 1
                    continue
                }
                let value = b < 0xA0 ? UInt32(windows1252High[Int(b - 0x80)]) : UInt32(b)
                if value < 0x800 {
                    out[k] = UInt8(0xC0 | value >> 6)
                    out[k + 1] = UInt8(0x80 | value & 0x3F)
                    k += 2
                } else {
                    out[k] = UInt8(0xE0 | value >> 12)
                    out[k + 1] = UInt8(0x80 | (value >> 6) & 0x3F)
                    out[k + 2] = UInt8(0x80 | value & 0x3F)
                    k += 3
                }
            }
            return k
        }
    }
}
