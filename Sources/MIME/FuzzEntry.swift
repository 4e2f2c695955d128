/// Entry point for the libFuzzer harness (deploy/fuzz/mime): parses arbitrary bytes and exercises
/// every decoder the pipeline uses. It must never crash, hang or allocate without bound.
public func fuzzParse(_ data: UnsafeRawBufferPointer) {
    let limits = ParserLimits(maxHeaderBytes: 64 * 1024, maxParts: 200, maxDepth: 12, maxTextBytes: 256 * 1024)
    let message = MessageParser(limits: limits).parse(data)
    _ = message.inspectJSON(file: "fuzz")
    let bytes = data.assumingMemoryBound(to: UInt8.self)
    let headers = HeaderList.parse(bytes, limits: limits)
    _ = Envelope(headers: headers, limits: limits)
    for mailbox in message.from + message.to { _ = mailbox.normalized(stripPlusTag: true) }
    _ = TextPartDecoder.decode(bytes, transferEncoding: "quoted-printable", charset: "iso-2022-jp", subtype: "html", truncated: true)
    _ = TextPartDecoder.decode(bytes, transferEncoding: "base64", charset: "utf-8", flowed: true, delSp: true)
    let prefix = String(decoding: bytes.prefix(2048), as: UTF8.self)
    _ = HeaderDecoding.decodeEncodedWords(prefix)
    _ = HeaderDecoding.contentType(prefix)
    _ = HeaderDecoding.parameters([(name: "filename*0*", value: prefix), (name: "filename*1", value: prefix)])
}
