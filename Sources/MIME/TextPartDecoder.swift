#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the encoded bytes of one text part into readable text: transfer decoding, charset, line
/// ends normalised to LF, format=flowed, HTML converted. Usable on its own by the IMAP pipeline,
/// which fetches only the (possibly partial) first text part.
public enum TextPartDecoder {
    public static func decode(
        _ bytes: some Collection<UInt8>,
        transferEncoding: String,
        charset: String?,
        subtype: String = "plain",
        flowed: Bool = false,
        delSp: Bool = false,
        truncated: Bool = false
    ) -> (text: String, defects: [String]) {
        var defects: [String] = []
        let text = CharsetConverterPool.shared.withConverter { converter -> String in
            let run: (UnsafeBufferPointer<UInt8>) -> String = { buf in
                decode(buf, encoding: TransferEncoding(label: transferEncoding), charset: charset, subtype: subtype,
                       flowed: flowed, delSp: delSp, truncated: truncated, converter: converter, defects: &defects)
            }
            return bytes.withContiguousStorageIfAvailable(run) ?? Array(bytes).withUnsafeBufferPointer(run)
        }
        return (text, defects)
    }

    static func decode(
        _ buf: UnsafeBufferPointer<UInt8>, encoding: TransferEncoding, charset: String?, subtype: String,
        flowed: Bool, delSp: Bool, truncated: Bool, converter: CharsetConverter, defects: inout [String]
    ) -> String {
        var (decoded, cut) = encoding.decode(buf)
        if case .other(let label) = encoding { defects.append("unknown Content-Transfer-Encoding \(label): used as is") }
        if truncated {
            defects.append("truncated: text part incomplete")
            dropIncompleteTail(&decoded, charset: charset)
        } else if cut {
            defects.append("truncated: base64 text ends mid-quantum")
        }
        let label = charset ?? "us-ascii"
        var text: String
        if converter.mapsLineEndsOneToOne(label) {
            // CR and LF are single bytes standing for themselves here and never part of a longer
            // sequence, so line ends are normalised on the bytes, sparing a copy of the text.
            normalizeLineEnds(&decoded)
            text = decoded.withUnsafeBufferPointer { converter.decode($0, charset: label, defects: &defects) }
        } else {
            text = decoded.withUnsafeBufferPointer { converter.decode($0, charset: label, normalizingLineEnds: true, defects: &defects) }
        }
        if subtype == "html" {
            return HTMLText.toText(text)
        }
        if flowed { text = FlowedText.unflow(text, delSp: delSp) }
        return text
    }

    /// A partial fetch usually cuts a UTF-8 character: drop the incomplete tail instead of reporting
    /// an invalid sequence (the truncation itself is already a defect).
    private static func dropIncompleteTail(_ bytes: inout [UInt8], charset: String?) {
        guard case .utf8 = CharsetDecoding.forLabel(charset ?? "utf-8") else { return }
        var k = bytes.count - 1
        var continuation = 0
        while k >= 0, bytes[k] & 0xC0 == 0x80, continuation < 3 { k -= 1; continuation += 1 }
        guard k >= 0 else { return }
        let lead = bytes[k]
        let needed = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0
        if needed > continuation { bytes.removeSubrange(k...) }
    }

    /// CR LF and bare CR become LF, in place; the runs between CRs move in bulk.
    static func normalizeLineEnds(_ bytes: inout [UInt8]) {
        guard let firstCR = bytes.firstIndex(of: ASCII.cr) else { return }
        let count = bytes.count
        let kept = bytes.withUnsafeMutableBufferPointer { buf -> Int in
            let base = buf.baseAddress!
            var write = firstCR
            var cr = firstCR
            while true {
                base[write] = ASCII.lf
                write += 1
                let runStart = cr + 1 < count && base[cr + 1] == ASCII.lf ? cr + 2 : cr + 1
                let runEnd = UnsafeBufferPointer(buf).firstIndex(of: ASCII.cr, from: runStart, to: count) ?? count
                if runEnd > runStart {
                    memmove(base + write, base + runStart, runEnd - runStart)  // regions may overlap
                    write += runEnd - runStart
                }
                guard runEnd < count else { return write }
                cr = runEnd
            }
        }
        bytes.removeLast(count - kept)
    }

    static func normalizeLineEnds(_ text: String) -> String {
        var text = text
        let unchanged = text.withUTF8 { $0.firstIndex(of: ASCII.cr, from: 0, to: $0.count) == nil }
        if unchanged { return text }
        return text.withUTF8 { buf -> String in
            guard var cr = buf.firstIndex(of: ASCII.cr, from: 0, to: buf.count) else { return String(decoding: buf, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(buf.count)
            var copied = 0
            while true {
                // Bulk-copy up to the CR, turn CR LF or a bare CR into LF.
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[copied..<cr]))
                out.append(ASCII.lf)
                copied = (cr + 1 < buf.count && buf[cr + 1] == ASCII.lf) ? cr + 2 : cr + 1
                guard let next = buf.firstIndex(of: ASCII.cr, from: copied, to: buf.count) else { break }
                cr = next
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[copied..<buf.count]))
            return String(decoding: out, as: UTF8.self)
        }
    }
}
