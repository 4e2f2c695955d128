/// Splits a header block into fields and finds where the body starts.
///
/// Leniencies (each named, as mox does): a leading mbox `From ` line is skipped; whitespace before the
/// colon is accepted (RFC 5322 §4.5 obsolete syntax); a continuation line before any field is dropped;
/// a line that is not a field and not a continuation ends the header block and starts the body (the
/// "missing blank line" breakage); LF, CRLF and bare CR line ends are all accepted.
enum HeaderBlockParser {
    struct Result {
        var headers: HeaderList
        /// Offset of the first body byte (after the blank line), or `end` when there is no body.
        var bodyStart: Int
        /// True when input ended inside the header block (no blank line, last line unterminated).
        var endedMidHeader: Bool
    }

    static func parse(
        _ buf: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, limits: ParserLimits, defects: inout [String]
    ) -> Result {
        var fields: [HeaderField] = []
        var pos = start
        var currentName: String?
        var currentValue: [UInt8] = []
        var droppedFields = 0
        var valueTooLong = false
        var bodyStart = end
        var endedMidHeader = false
        let blockLimit = start + limits.maxHeaderBytes

        func finishField() {
            guard let name = currentName else { return }
            var lo = 0, hi = currentValue.count
            while lo < hi, ASCII.isWhitespace(currentValue[lo]) { lo += 1 }
            while hi > lo, ASCII.isWhitespace(currentValue[hi - 1]) { hi -= 1 }
            let value = (lo == 0 && hi == currentValue.count) ? currentValue : Array(currentValue[lo..<hi])
            if fields.count < limits.maxHeaderCount {
                fields.append(HeaderField(name: name, rawValue: value))
            } else {
                droppedFields += 1
            }
            currentName = nil
            currentValue.removeAll(keepingCapacity: true)
        }

        if end - start >= 5, buf[start] == 70, buf[start + 1] == 114, buf[start + 2] == 111, buf[start + 3] == 109,
           buf[start + 4] == ASCII.space {
            pos = lineEnd(buf, pos, end).next  // mbox "From " separator
        }

        while true {
            if pos >= end {
                if currentName != nil || !fields.isEmpty {
                    // No blank line: either a headers-only message or input cut inside the header block.
                    // Only at the end of the input: a part's header block may legitimately end its part.
                    endedMidHeader = end == buf.count && end > start && buf[end - 1] != ASCII.lf && buf[end - 1] != ASCII.cr
                }
                bodyStart = end
                break
            }
            if pos >= blockLimit {
                defects.append("header block longer than \(limits.maxHeaderBytes) bytes: rest treated as body")
                bodyStart = pos
                break
            }
            let line = lineEnd(buf, pos, end)
            let contentEnd = line.contentEnd
            if contentEnd == pos {  // blank line: end of headers
                bodyStart = line.next
                break
            }
            let first = buf[pos]
            if first == ASCII.space || first == ASCII.tab, isBlank(buf, pos, contentEnd),
               !startsFieldOrContinuation(buf, line.next, end) {
                // A whitespace-only line followed by prose: the sender meant the blank separator line.
                // (Followed by a field or a continuation it is obsolete folding, RFC 5322 §4.2.)
                finishField()
                defects.append("whitespace-only line taken as the end of the header block")
                bodyStart = line.next
                break
            }
            if first == ASCII.space || first == ASCII.tab {
                if currentName != nil {
                    if currentValue.count + (contentEnd - pos) <= limits.maxHeaderValueBytes {
                        currentValue.append(contentsOf: UnsafeBufferPointer(rebasing: buf[pos..<contentEnd]))
                    } else {
                        valueTooLong = true
                    }
                } else if fields.isEmpty {
                    defects.append("continuation line before the first header field dropped")
                } else {
                    defects.append("continuation line after an unusable header line dropped")
                }
                pos = line.next
                continue
            }
            // Field name: printable ASCII up to the colon, optionally followed by obsolete whitespace.
            let name = fieldName(buf, pos, contentEnd)
            if name.invalidBytes, name.colon > pos {
                // "Na\xffme: value": a damaged field, not prose; skipped like mime4j does.
                finishField()
                defects.append("header line with invalid characters in its name skipped")
                pos = line.next
                continue
            }
            let colon = name.colon, nameEnd = name.nameEnd
            guard colon > pos, nameEnd > pos else {
                finishField()
                defects.append("header block ended by a line that is not a header field (missing blank line)")
                bodyStart = pos
                break
            }
            finishField()
            currentName = String(decoding: UnsafeBufferPointer(rebasing: buf[pos..<nameEnd]), as: UTF8.self)
            var valueStart = colon + 1
            while valueStart < contentEnd, buf[valueStart] == ASCII.space || buf[valueStart] == ASCII.tab { valueStart += 1 }
            if contentEnd - valueStart <= limits.maxHeaderValueBytes {
                currentValue.append(contentsOf: UnsafeBufferPointer(rebasing: buf[valueStart..<contentEnd]))
            } else {
                currentValue.append(contentsOf: UnsafeBufferPointer(rebasing: buf[valueStart..<(valueStart + limits.maxHeaderValueBytes)]))
                valueTooLong = true
            }
            pos = line.next
        }
        finishField()
        if droppedFields > 0 {
            defects.append("\(droppedFields) header field(s) beyond the limit of \(limits.maxHeaderCount) dropped")
        }
        if valueTooLong {
            defects.append("header value longer than \(limits.maxHeaderValueBytes) bytes truncated")
        }
        if endedMidHeader { defects.append("truncated: input ends inside the header block") }
        return Result(headers: HeaderList(fields), bodyStart: bodyStart, endedMidHeader: endedMidHeader)
    }

    /// The field name at `pos`: (colon offset or -1, end of the name, whether it had 8-bit/control bytes).
    /// Whitespace may precede the colon (obsolete syntax) but not split the name.
    static func fieldName(_ buf: UnsafeBufferPointer<UInt8>, _ pos: Int, _ contentEnd: Int) -> (colon: Int, nameEnd: Int, invalidBytes: Bool) {
        var i = pos
        var nameEnd = -1
        var invalid = false
        while i < contentEnd {
            let b = buf[i]
            if b == ASCII.colon { return (i, nameEnd < 0 ? i : nameEnd, invalid) }
            if b == ASCII.space || b == ASCII.tab {
                if nameEnd < 0 { nameEnd = i }
            } else if nameEnd >= 0 {
                return (-1, -1, false)
            } else if b < 33 || b > 126 {
                invalid = true
            }
            i += 1
        }
        return (-1, -1, false)
    }

    private static func isBlank(_ buf: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
        var i = lo
        while i < hi { if buf[i] != ASCII.space && buf[i] != ASCII.tab { return false }; i += 1 }
        return true
    }

    private static func startsFieldOrContinuation(_ buf: UnsafeBufferPointer<UInt8>, _ pos: Int, _ end: Int) -> Bool {
        guard pos < end else { return false }
        let first = buf[pos]
        if first == ASCII.space || first == ASCII.tab { return true }
        let line = lineEnd(buf, pos, end)
        let name = fieldName(buf, pos, line.contentEnd)
        return name.colon > pos && name.nameEnd > pos && !name.invalidBytes
    }

    /// Line bounds accepting LF, CRLF and a bare CR as the line end.
    @inline(__always)
    static func lineEnd(_ buf: UnsafeBufferPointer<UInt8>, _ from: Int, _ end: Int) -> (contentEnd: Int, next: Int) {
        let bounds = buf.lineBounds(from: from, to: end)
        // A bare CR inside the line also ends it (old Mac mail, and mime4j's bad-newline cases).
        if let cr = buf.firstIndex(of: ASCII.cr, from: from, to: bounds.contentEnd) {
            return (cr, cr + 1)
        }
        return bounds
    }
}
