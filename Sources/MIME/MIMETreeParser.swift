#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the MIME tree over one input buffer: multipart splitting (RFC 2046 §5.1), embedded
/// messages (message/rfc822, message/global), bounded depth and part count.
///
/// Leniencies: a delimiter line may carry whitespace and then junk, a close delimiter trailing junk; a
/// line that merely starts with the boundary followed by other characters is *not* a delimiter (the
/// boundary-prefix clash of nested parts); a missing close delimiter ends the last part at the end of
/// input (reported as truncation); a multipart without boundary, or whose boundary never occurs, is
/// read as a text/plain leaf; inside multipart/digest the default type is message/rfc822.
struct MIMETreeParser {
    let buf: UnsafeBufferPointer<UInt8>
    let limits: ParserLimits
    let converter: CharsetConverter
    var defects: [String] = []
    var partCount = 0
    var partLimitReported = false

    init(buffer: UnsafeBufferPointer<UInt8>, limits: ParserLimits, converter: CharsetConverter) {
        self.buf = buffer
        self.limits = limits
        self.converter = converter
    }

    mutating func parseEntity(_ start: Int, _ end: Int, depth: Int, defaultType: ContentType, path: String) -> MIMEPart {
        partCount += 1
        let header = HeaderBlockParser.parse(buf, from: start, to: end, limits: limits, defects: &defects)
        let headers = header.headers
        var contentType = defaultType
        var defaulted = true
        if let field = headers.first(named: "Content-Type") {
            let parsed = ParameterParser.parse(field.rawValue, converter: converter, defects: &defects)
            let pieces = parsed.token.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty {
                contentType = ContentType(type: String(pieces[0]), subtype: String(pieces[1]), parameters: parsed.parameters)
                defaulted = false
            } else if parsed.token == "text" {
                contentType = ContentType(type: "text", subtype: "plain", parameters: parsed.parameters)
                defects.append("Content-Type \"text\" without subtype read as text/plain")
                defaulted = false
            } else {
                defects.append("invalid Content-Type \"\(field.value.prefix(80))\": default \(defaultType.mimeType) used")
                if defaultType.isText, let charset = parsed.parameters["charset"] { contentType.parameters["charset"] = charset }
            }
        }
        let transferEncoding = TransferEncoding(label: headers.first(named: "Content-Transfer-Encoding")?.value ?? "")
        var disposition: String?
        var filename: String?
        if let field = headers.first(named: "Content-Disposition") {
            let parsed = ParameterParser.parse(field.rawValue, converter: converter, defects: &defects)
            if !parsed.token.isEmpty { disposition = parsed.token }
            filename = parsed.parameters["filename"]
        }
        if filename == nil || filename?.isEmpty == true { filename = contentType.parameters["name"] }
        if filename?.isEmpty == true { filename = nil }
        var part = MIMEPart(
            headers: headers, contentType: contentType, contentTypeDefaulted: defaulted,
            transferEncoding: transferEncoding, disposition: disposition, filename: filename,
            bodyRange: header.bodyStart..<max(header.bodyStart, end), children: [], depth: depth, path: path
        )
        if contentType.isMultipart {
            guard depth < limits.maxDepth else {
                defects.append("multipart nested deeper than \(limits.maxDepth): not split")
                return part
            }
            guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= Self.maxBoundaryLength else {
                defects.append("\(contentType.mimeType) without usable boundary: read as text/plain")
                part.contentType = ContentType(type: "text", subtype: "plain", parameters: ["charset": contentType.charset ?? "us-ascii"])
                return part
            }
            let childDefault = contentType.subtype == "digest" ? ContentType.messageRFC822 : ContentType.textPlain
            let split = splitMultipart(part.bodyRange, boundary: boundary)
            if split.ranges.isEmpty && !split.foundDelimiter {
                defects.append("boundary \"\(boundary.prefix(70))\" of \(contentType.mimeType) not found: read as text/plain")
                part.contentType = ContentType(type: "text", subtype: "plain", parameters: ["charset": contentType.charset ?? "us-ascii"])
                return part
            }
            if !split.closed {
                defects.append("truncated: closing boundary of \(contentType.mimeType) missing")
            }
            part.preambleRange = split.preamble
            part.epilogueRange = split.epilogue
            for (index, range) in split.ranges.enumerated() {
                if partCount >= limits.maxParts {
                    if !partLimitReported {
                        defects.append("more than \(limits.maxParts) MIME parts: rest not parsed")
                        partLimitReported = true
                    }
                    break
                }
                let childPath = path.isEmpty ? "\(index + 1)" : "\(path).\(index + 1)"
                part.children.append(parseEntity(range.lowerBound, range.upperBound, depth: depth + 1, defaultType: childDefault, path: childPath))
            }
        } else if contentType.isEmbeddedMessage {
            switch transferEncoding {
            case .sevenBit, .eightBit, .binary:
                guard depth < limits.maxDepth else {
                    defects.append("embedded message nested deeper than \(limits.maxDepth): not parsed")
                    return part
                }
                guard partCount < limits.maxParts else { return part }
                part.children = [parseEntity(part.bodyRange.lowerBound, part.bodyRange.upperBound, depth: depth + 1,
                                             defaultType: .textPlain, path: path)]
            default:
                // RFC 2046 §5.2.1 forbids encoding message/rfc822; such a part stays an opaque leaf.
                defects.append("\(contentType.mimeType) with \(transferEncoding) encoding kept as an opaque part")
            }
        }
        return part
    }

    /// The next "--boundary" at a line start. memchr looks for "-" (absent from base64, so whole
    /// attachments are skipped at memchr speed); the line-start test runs before the comparison so a
    /// long boundary costs at most one comparison per line.
    private func nextDelimiter(_ delimiter: [UInt8], from: Int, to end: Int, bodyStart: Int) -> Int? {
        guard let base = buf.baseAddress else { return nil }
        var pos = from
        let lastStart = end - delimiter.count
        return delimiter.withUnsafeBufferPointer { needle -> Int? in
            while pos <= lastStart {
                guard let hit = buf.firstIndex(of: ASCII.hyphen, from: pos, to: lastStart + 1) else { return nil }
                pos = hit + 1
                guard hit == bodyStart || buf[hit - 1] == ASCII.lf || buf[hit - 1] == ASCII.cr else { continue }
                if memcmp(base + hit, needle.baseAddress!, needle.count) == 0 { return hit }
            }
            return nil
        }
    }

    /// RFC 2046 allows 70 characters; longer ones occur (mime4j's very-very-long-boundary), absurd
    /// ones only make every "-" in the body an expensive comparison.
    static let maxBoundaryLength = 8192

    struct Split {
        var ranges: [Range<Int>] = []
        var closed = false
        var foundDelimiter = false
        var preamble: Range<Int>?
        var epilogue: Range<Int>?
    }

    func splitMultipart(_ body: Range<Int>, boundary: String) -> Split {
        // The boundary is matched exactly as declared, trailing spaces included (RFC 2046 forbids
        // them, mime4j's weird-boundary case shows they occur).
        let delimiter: [UInt8] = [ASCII.hyphen, ASCII.hyphen] + Array(boundary.utf8)
        var split = Split()
        var search = body.lowerBound
        let end = body.upperBound
        var partStart: Int?
        while let hit = nextDelimiter(delimiter, from: search, to: end, bodyStart: body.lowerBound) {
            search = hit + 1
            let after = hit + delimiter.count
            let isClose = after + 1 < end && buf[after] == ASCII.hyphen && buf[after + 1] == ASCII.hyphen
            let restStart = isClose ? after + 2 : after
            let line = buf.lineBounds(from: min(restStart, end), to: end)
            // "--boundaryXYZ" is a longer boundary (a nested part's), not ours; "--boundary junk" is
            // ours (RFC 2046 §5.1.1: the boundary need only start the line).
            if !isClose, restStart < line.contentEnd, buf[restStart] != ASCII.space, buf[restStart] != ASCII.tab { continue }
            split.foundDelimiter = true
            var partEnd = hit
            if partEnd > body.lowerBound, buf[partEnd - 1] == ASCII.lf { partEnd -= 1 }
            if partEnd > body.lowerBound, buf[partEnd - 1] == ASCII.cr { partEnd -= 1 }
            if let ps = partStart {
                split.ranges.append(ps..<max(ps, partEnd))
            } else {
                split.preamble = body.lowerBound..<max(body.lowerBound, partEnd)
            }
            if isClose {
                split.closed = true
                split.epilogue = line.next..<end
                return split
            }
            partStart = line.next
            search = line.next
            if split.ranges.count > limits.maxParts { return split }
        }
        if let ps = partStart { split.ranges.append(ps..<end) }
        return split
    }
}
