/// format=flowed (RFC 3676): joins soft-broken lines, removes space-stuffing, keeps quote depth.
enum FlowedText {
    static func unflow(_ text: String, delSp: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var paragraph = ""
        var paragraphDepth = -1
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
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
}
