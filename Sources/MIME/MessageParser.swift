/// Parses a whole (or truncated) message. Pure and thread-safe: each call has its own state.
public struct MessageParser: Sendable {
    public let limits: ParserLimits

    public init(limits: ParserLimits = .default) {
        self.limits = limits.sanitized
    }

    /// `truncated`: the caller knows the input is only a prefix of the message (a partial fetch).
    public func parse(_ bytes: some Collection<UInt8>, truncated: Bool = false) -> ParsedMessage {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0, truncated: truncated) }) {
            return result
        }
        return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0, truncated: truncated) }
    }

    public func parse(_ raw: UnsafeRawBufferPointer, truncated: Bool = false) -> ParsedMessage {
        parse(buffer: raw.assumingMemoryBound(to: UInt8.self), truncated: truncated)
    }

    public func parse(buffer: UnsafeBufferPointer<UInt8>, truncated: Bool = false) -> ParsedMessage {
        CharsetConverterPool.shared.withConverter { parse(buffer: buffer, truncated: truncated, converter: $0) }
    }

    private func parse(buffer: UnsafeBufferPointer<UInt8>, truncated: Bool, converter: CharsetConverter) -> ParsedMessage {
        var tree = MIMETreeParser(buffer: buffer, limits: limits, converter: converter)
        let root = tree.parseEntity(0, buffer.count, depth: 0, defaultType: .textPlain, path: "")
        var defects: [String] = []
        if truncated { defects.append("truncated: input is a prefix of the message") }
        if buffer.isEmpty { defects.append("empty message") }
        let envelope = Envelope(headers: root.headers, contentType: root.contentType, limits: limits, converter: converter)
        defects += envelope.defects
        defects += tree.defects

        // The first text/plain part that is not blank; a blank one (an empty part before the real
        // body, as broken nested boundaries produce) is kept only when nothing better exists.
        var text: String?
        var textIsBlank = true
        var htmlCandidates: [MIMEPart] = []
        var attachments: [AttachmentInfo] = []
        for leaf in root.leaves() {
            let body = UnsafeBufferPointer(rebasing: buffer[leaf.bodyRange])
            if !leaf.isAttachmentLike {
                if leaf.contentType.subtype == "plain" {
                    if textIsBlank {
                        var blocks: [Uuencode.Block] = []
                        var partDefects: [String] = []
                        let decoded = decodeText(leaf, body, inputEnd: buffer.count, truncated: truncated, converter: converter,
                                                 uuencoded: &blocks, defects: &partDefects)
                        let blank = Self.isBlank(decoded)
                        if text == nil || !blank {
                            text = decoded
                            textIsBlank = blank
                            defects += partDefects
                        }
                        for block in blocks {
                            attachments.append(AttachmentInfo(
                                filename: block.filename, contentType: "application/octet-stream", size: block.size,
                                transferEncoding: .uuencode, bodyRange: block.range, partPath: leaf.path))
                        }
                    }
                } else if htmlCandidates.count < 8 {
                    htmlCandidates.append(leaf)
                }
                continue
            }
            attachments.append(AttachmentInfo(
                filename: leaf.filename, contentType: leaf.contentType.mimeType,
                size: leaf.transferEncoding.decodedSize(body), transferEncoding: leaf.transferEncoding,
                bodyRange: leaf.bodyRange, partPath: leaf.path))
        }
        if textIsBlank {
            for html in htmlCandidates {
                var none: [Uuencode.Block] = []
                var partDefects: [String] = []
                let decoded = decodeText(html, UnsafeBufferPointer(rebasing: buffer[html.bodyRange]), inputEnd: buffer.count,
                                         truncated: truncated, converter: converter, uuencoded: &none, defects: &partDefects)
                if text == nil || !Self.isBlank(decoded) {
                    text = decoded
                    defects += partDefects
                }
                if !Self.isBlank(decoded) { break }
            }
        }
        if text == nil {
            // Nothing readable at the top level (a bare forward as message/rfc822): the forwarded
            // message's text is what a person would read, so it becomes the snippet source.
            let embedded = root.leaves(intoEmbeddedMessages: true).filter { !$0.isAttachmentLike }
            let ordered = embedded.filter { $0.contentType.subtype == "plain" } + embedded.filter { $0.contentType.subtype != "plain" }
            for leaf in ordered.prefix(16) {
                var none: [Uuencode.Block] = []
                var partDefects: [String] = []
                let decoded = decodeText(leaf, UnsafeBufferPointer(rebasing: buffer[leaf.bodyRange]), inputEnd: buffer.count,
                                         truncated: truncated, converter: converter, uuencoded: &none, defects: &partDefects)
                if text == nil || !Self.isBlank(decoded) {
                    text = decoded
                    defects += partDefects
                }
                if !Self.isBlank(decoded) { break }
            }
        }
        return ParsedMessage(envelope: envelope, root: root, text: text, attachments: attachments, defects: defects)
    }

    private static func isBlank(_ s: String) -> Bool {
        s.utf8.allSatisfy { ASCII.isWhitespace($0) }
    }

    private func decodeText(
        _ part: MIMEPart, _ body: UnsafeBufferPointer<UInt8>, inputEnd: Int, truncated: Bool,
        converter: CharsetConverter, uuencoded: inout [Uuencode.Block], defects: inout [String]
    ) -> String {
        var slice = body
        var cut = truncated && part.bodyRange.upperBound == inputEnd
        if slice.count > limits.maxTextBytes {
            var end = limits.maxTextBytes
            // Cut at a line start so no escape sequence or quantum is split.
            if let nl = body.firstIndex(of: ASCII.lf, from: max(0, end - 1024), to: end) { end = nl + 1 }
            slice = UnsafeBufferPointer(rebasing: body[0..<end])
            defects.append("text part longer than \(limits.maxTextBytes) bytes: cut")
            cut = true
        }
        let params = part.contentType.parameters
        let flowed = params["format"]?.lowercased() == "flowed"
        let delSp = params["delsp"]?.lowercased() == "yes"
        if part.contentType.subtype == "plain", let begin = slice.firstIndex(of: Array("begin ".utf8), from: 0, to: slice.count),
           begin == 0 || slice[begin - 1] == ASCII.lf || part.transferEncoding != .sevenBit {
            // uuencoded blocks are found in the transfer-decoded bytes and removed from the text.
            let decoded = part.transferEncoding.decode(slice).bytes
            let blocks = decoded.withUnsafeBufferPointer { Uuencode.findBlocks($0, limit: 64) }
            if !blocks.isEmpty {
                uuencoded = blocks
                var remaining: [UInt8] = []
                var last = 0
                for block in blocks {
                    remaining += decoded[last..<block.range.lowerBound]
                    last = block.range.upperBound
                }
                remaining += decoded[last...]
                return remaining.withUnsafeBufferPointer {
                    TextPartDecoder.decode($0, encoding: .binary, charset: part.contentType.charset, subtype: "plain",
                                           flowed: flowed, delSp: delSp, truncated: cut, converter: converter, defects: &defects)
                }
            }
        }
        return TextPartDecoder.decode(slice, encoding: part.transferEncoding, charset: part.contentType.charset,
                                      subtype: part.contentType.subtype, flowed: flowed, delSp: delSp, truncated: cut,
                                      converter: converter, defects: &defects)
    }
}
