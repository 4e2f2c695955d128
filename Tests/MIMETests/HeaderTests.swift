import XCTest
@testable import MIME

final class HeaderTests: XCTestCase {
    func testUnfoldingAndCaseInsensitiveLookup() {
        let headers = HeaderList.parse(bytes("Subject: a long\n  subject line\nX-Dup: 1\nx-dup: 2\n\nbody"))
        XCTAssertEqual(headers["subject"], "a long  subject line")
        XCTAssertEqual(headers.values(named: "X-DUP"), ["1", "2"])
        XCTAssertNil(headers["Missing"])
    }

    func testObsoleteWhitespaceBeforeColonAndEmptyFoldedLine() {
        let headers = HeaderList.parse(bytes("Subject :The obsolete syntax\n       \n and folding.\nDate    :  x\n\nbody"))
        XCTAssertEqual(headers["Subject"], "The obsolete syntax        and folding.")
        XCTAssertEqual(headers["Date"], "x")
    }

    func testRawUTF8AndEightBitHeaders() {
        let utf8 = HeaderList.parse(bytes("Subject: Grüße aus Köln\n\n"))
        XCTAssertEqual(utf8.first(named: "Subject")?.decodedValue, "Grüße aus Köln")
        let latin1 = HeaderList.parse([UInt8]("Subject: Gr".utf8) + [0xFC] + [UInt8]("n\n\n".utf8))
        XCTAssertEqual(latin1["Subject"], "Grün")
    }

    func testMboxFromLineIsSkipped() {
        let message = MessageParser().parse(bytes("From someone@example.com Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n"))
        XCTAssertEqual(message.subject, "hi")
        XCTAssertEqual(message.text, "body\n")
    }

    func testMissingBlankLineStartsTheBody() {
        let message = MessageParser().parse(bytes("Subject: hi\nThis is the body, no blank line\nmore\n"))
        XCTAssertEqual(message.subject, "hi")
        XCTAssertEqual(message.text, "This is the body, no blank line\nmore\n")
        XCTAssertTrue(message.defects.contains { $0.contains("missing blank line") })
    }

    func testWhitespaceOnlyLineBeforeProseEndsHeaders() {
        let message = MessageParser().parse(bytes("Subject: hi\n \nThe body.\n"))
        XCTAssertEqual(message.text, "The body.\n")
        XCTAssertFalse(message.defects.isEmpty)
    }

    func testHeaderLimitsAreDefects() {
        var limits = ParserLimits.default
        limits.maxHeaderCount = 3
        limits.maxHeaderValueBytes = 10
        let input = bytes("A: 1\nB: 2\nC: 3\nD: 4\nSubject: 0123456789abcdef\n\n")
        let (headers, defects) = HeaderList.parseReportingDefects(input, limits: limits)
        XCTAssertEqual(headers.count, 3)
        XCTAssertTrue(defects.contains { $0.contains("beyond the limit") })
        limits.maxHeaderCount = 10
        let (long, longDefects) = HeaderList.parseReportingDefects(input, limits: limits)
        XCTAssertEqual(long["Subject"], "0123456789")
        XCTAssertTrue(longDefects.contains { $0.contains("truncated") })

        var small = ParserLimits.default
        small.maxHeaderBytes = 20
        let m = MessageParser(limits: small).parse(bytes("A: 1\nB: 2\nC: 3\nD: 4\nE: 5\nF: 6\n\nbody"))
        XCTAssertTrue(m.defects.contains { $0.contains("header block longer") })
    }

    func testTruncatedInsideHeaderBlock() {
        let message = MessageParser().parse(bytes("From: a@example.com\nSubject: cut in the mid"))
        XCTAssertEqual(message.subject, "cut in the mid")
        XCTAssertTrue(message.defects.contains { $0.hasPrefix("truncated") })
        XCTAssertFalse(MessageParser().parse(bytes("From: a@example.com\nSubject: complete\n")).defects.contains { $0.hasPrefix("truncated") })
    }

    func testDamagedFieldNameIsSkipped() {
        let headers = HeaderList.parse([UInt8]("Inval".utf8) + [0xFF] + [UInt8]("d: x\nSubject: kept\n\n".utf8))
        XCTAssertEqual(headers["Subject"], "kept")
    }
}

final class EncodedWordTests: XCTestCase {
    func decode(_ s: String) -> (String, [String]) {
        var defects: [String] = []
        let text = EncodedWords.decode(s, converter: CharsetConverter(), defects: &defects)
        return (text, defects)
    }

    func testBAndQ() {
        XCTAssertEqual(decode("=?UTF-8?B?R3LDvMOfZQ==?=").0, "Grüße")
        XCTAssertEqual(decode("=?iso-8859-1?q?Gr=FC=DFe_aus?= K=C3").0, "Grüße aus K=C3")
    }

    func testAdjacentWordsJoinedWithoutWhitespaceButLiteralSpacingKept() {
        XCTAssertEqual(decode("=?utf-8?q?Hello?=  \n =?utf-8?q?_World?=").0, "Hello World")
        XCTAssertEqual(decode("Re: =?utf-8?q?caf=C3=A9?= today").0, "Re: café today")
    }

    func testMultibyteCharacterSplitAcrossWords() {
        // "é" = C3 A9, cut between the two words; also a GBK character split in base64.
        XCTAssertEqual(decode("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=").0, "café")
        XCTAssertEqual(decode("=?gb2312?B?xOM=?= =?gb2312?B?usM=?=").0, "你好")
    }

    func testUnknownCharsetIsADefect() {
        let (text, defects) = decode("=?x-klingon?q?abc?=")
        XCTAssertEqual(text, "abc")
        XCTAssertEqual(defects.count, 2)  // unknown encoded-word charset, then the fallback decode
    }

    func testMalformedWordsStayLiteral() {
        XCTAssertEqual(decode("=?utf-8?x?abc?=").0, "=?utf-8?x?abc?=")
        XCTAssertEqual(decode("=?utf-8?q?no end").0, "=?utf-8?q?no end")
        XCTAssertEqual(decode("price =? 5").0, "price =? 5")
    }

    func testLanguageSuffixAndMissingPadding() {
        XCTAssertEqual(decode("=?utf-8*en?B?R3LDvMOfZQ?=").0, "Grüße")
    }
}

final class ParameterTests: XCTestCase {
    func parse(_ s: String) -> ParameterParser.Parsed {
        var defects: [String] = []
        return ParameterParser.parse(bytes(s), converter: CharsetConverter(), defects: &defects)
    }

    func testTokenAndQuotedValues() {
        let p = parse("Text/Plain; charset=\"UTF-8\"; format=flowed (comment)")
        XCTAssertEqual(p.token, "text/plain")
        XCTAssertEqual(p.parameters["charset"], "UTF-8")
        XCTAssertEqual(p.parameters["format"], "flowed (comment)")
    }

    func testRFC2231CharsetLanguageAndContinuations() {
        XCTAssertEqual(parse("attachment; filename*=iso-8859-2'hu'%C1rv%EDz.pdf").parameters["filename"], "Árvíz.pdf")
        let continued = parse("attachment; filename*0*=utf-8''%E2%82%AC; filename*1=\" rate\"; filename*2*=%21.txt")
        XCTAssertEqual(continued.parameters["filename"], "€ rate!.txt")
        let unordered = parse("attachment; filename*1=\"b.txt\"; filename*0=\"a\"")
        XCTAssertEqual(unordered.parameters["filename"], "ab.txt")
    }

    func testEncodedWordInsideQuotedFilenameAndWindowsPaths() {
        XCTAssertEqual(parse("attachment; filename=\"=?utf-8?B?0L7RgtGH0LXRgi5wZGY=?=\"").parameters["filename"], "отчет.pdf")
        XCTAssertEqual(parse("attachment; filename=\"C:\\dir\\file.txt\"").parameters["filename"], "C:\\dir\\file.txt")
    }

    func testUnterminatedQuoteAndJunk() {
        var defects: [String] = []
        let p = ParameterParser.parse(bytes("text/plain; ; junk; name=\"open"), converter: CharsetConverter(), defects: &defects)
        XCTAssertEqual(p.parameters["name"], "open")
        XCTAssertEqual(defects.count, 1)
    }
}

final class ParameterLeniencyTests: XCTestCase {
    func testMissingSemicolonBeforeParameter() {
        var defects: [String] = []
        let p = ParameterParser.parse(bytes("multipart/mixed\n\tboundary=\"b\""), converter: CharsetConverter(), defects: &defects)
        XCTAssertEqual(p.token, "multipart/mixed")
        XCTAssertEqual(p.parameters["boundary"], "b")
        XCTAssertEqual(defects.count, 1)
        defects = []
        let two = ParameterParser.parse(bytes("attachment; filename=\"a.pdf\" size=12; x=1"), converter: CharsetConverter(), defects: &defects)
        XCTAssertEqual(two.parameters, ["filename": "a.pdf", "size": "12", "x": "1"])
        defects = []
        let clean = ParameterParser.parse(bytes("text/plain; charset=utf-8 ;format=flowed"), converter: CharsetConverter(), defects: &defects)
        XCTAssertEqual(clean.parameters, ["charset": "utf-8", "format": "flowed"])
        XCTAssertEqual(defects, [])
    }
}
