/// uuencoded blocks inside text/plain bodies (`begin 644 name` … `end`), still sent by old mailers.
enum Uuencode {
    struct Block {
        var filename: String
        /// Byte range of the whole block, `begin` line through `end` line.
        var range: Range<Int>
        var size: Int
    }

    /// Finds uuencoded blocks in decoded text bytes (at most `limit`).
    static func findBlocks(_ buf: UnsafeBufferPointer<UInt8>, limit: Int) -> [Block] {
        var blocks: [Block] = []
        let begin = Array("begin ".utf8)
        var search = 0
        while blocks.count < limit, let hit = buf.firstIndex(of: begin, from: search, to: buf.count) {
            search = hit + 1
            guard hit == 0 || buf[hit - 1] == ASCII.lf else { continue }
            let header = buf.lineBounds(from: hit, to: buf.count)
            // "begin" SP mode(octal digits) SP filename
            var i = hit + 6
            let modeStart = i
            while i < header.contentEnd, buf[i] >= 48, buf[i] <= 55 { i += 1 }
            guard i > modeStart, i - modeStart <= 4, i < header.contentEnd, buf[i] == ASCII.space else { continue }
            let nameBytes = UnsafeBufferPointer(rebasing: buf[(i + 1)..<header.contentEnd])
            guard !nameBytes.isEmpty else { continue }
            var pos = header.next
            var size = 0
            var closed = false
            while pos < buf.count {
                let line = buf.lineBounds(from: pos, to: buf.count)
                let length = line.contentEnd - pos
                if length == 3, buf[pos] == 101, buf[pos + 1] == 110, buf[pos + 2] == 100 {  // "end"
                    closed = true
                    pos = line.next
                    break
                }
                if length > 0 {
                    let count = Int((buf[pos] &- 32) & 63)
                    // A data line holds ceil(count/3)*4 characters after the length byte.
                    if length < 1 + (count + 2) / 3 * 4 - 1 { break }
                    size += count
                }
                pos = line.next
            }
            guard closed else {
                search = max(search, pos)  // lines already rejected are not rescanned from a later "begin"
                continue
            }
            blocks.append(Block(filename: CharsetConverter.fallback(nameBytes), range: hit..<pos, size: size))
            search = pos
        }
        return blocks
    }

    static func decodedSize(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        var out: [UInt8] = []
        return decodeBlock(buf, into: &out, countOnly: true)
    }

    /// Decodes the data lines of one block (a `begin` line, if present, is skipped). Returns the size.
    @discardableResult
    static func decodeBlock(_ buf: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], countOnly: Bool = false) -> Int {
        var pos = 0
        var total = 0
        while pos < buf.count {
            let line = buf.lineBounds(from: pos, to: buf.count)
            defer { pos = line.next }
            let length = line.contentEnd - pos
            if length == 0 { continue }
            if length >= 6, buf[pos] == 98, buf[pos + 1] == 101, buf[pos + 2] == 103 { continue }  // "beg"in
            if length == 3, buf[pos] == 101, buf[pos + 1] == 110, buf[pos + 2] == 100 { break }  // "end"
            let count = Int((buf[pos] &- 32) & 63)
            if count == 0 { continue }
            total += count
            if countOnly { continue }
            var produced = 0
            var i = pos + 1
            while produced < count, i + 3 < line.contentEnd + 1 {
                func v(_ k: Int) -> UInt32 { k < line.contentEnd ? UInt32((buf[k] &- 32) & 63) : 0 }
                let quad = v(i) << 18 | v(i + 1) << 12 | v(i + 2) << 6 | v(i + 3)
                for shift in [16, 8, 0] where produced < count {
                    out.append(UInt8(truncatingIfNeeded: quad >> UInt32(shift)))
                    produced += 1
                }
                i += 4
            }
        }
        return total
    }
}
