/// format=flowed (RFC 3676): joins soft-broken lines, removes space-stuffing, keeps quote depth.
enum FlowedText {
    static func unflow(_ text: String, delSp: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var paragraph = ""
        var paragraphDepth = -1
        var lines = lineSlices(text)
        if lines.last == "" { lines.removeLast() }
        func flush() {
            if paragraphDepth >= 0 {
                if paragraphDepth > 0 { out += String(repeating: ">", count: paragraphDepth) + " " }
                out += paragraph
                out += "\n"
            }
            paragraph = ""
            paragraphDepth = -1
        }
        for raw in lines {
            var line = Substring(raw)
            var depth = 0
            while line.first == ">" { depth += 1; line = line.dropFirst() }
            if line.first == " " { line = line.dropFirst() }  // space-stuffing
            let isSignature = line == "-- "
            if paragraphDepth >= 0, depth != paragraphDepth { flush() }
            paragraphDepth = depth
            if line.last == " ", !isSignature {
                paragraph += delSp ? line.dropLast() : line
            } else {
                paragraph += line
                flush()
            }
        }
        flush()
        return out
    }

    /// `text.split(separator: "\n", omittingEmptySubsequences: false)`, found by scanning bytes
    /// instead of breaking the whole text into graphemes. A LF is always a grapheme boundary on
    /// both sides except after CR, where CR LF is one Character that does not equal "\n": such
    /// a LF does not split, as in the Character-level split.
    static func lineSlices(_ text: String) -> [Substring] {
        let utf8 = text.utf8
        var lines: [Substring] = []
        var lineStart = utf8.startIndex
        var previous: UInt8 = 0
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") {
                lines.append(text[lineStart..<index])
                lineStart = utf8.index(after: index)
            }
            previous = byte
            index = utf8.index(after: index)
        }
        lines.append(text[lineStart..<utf8.endIndex])
        return lines
    }
}
