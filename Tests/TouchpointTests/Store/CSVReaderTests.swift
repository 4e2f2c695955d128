import XCTest
@testable import Touchpoint

final class CSVReaderTests: XCTestCase {
    private func read(_ text: String) -> [Result<CSVReader.Record, CSVReader.Failure>] {
        read(Array(text.utf8))
    }

    private func read(_ bytes: [UInt8]) -> [Result<CSVReader.Record, CSVReader.Failure>] {
        var reader = CSVReader(bytes)
        var out: [Result<CSVReader.Record, CSVReader.Failure>] = []
        while let next = reader.next() { out.append(next) }
        return out
    }

    func testQuotedFieldsHoldCommasNewlinesAndQuotes() {
        let text = "a,b,c\n\"x, y\",\"multi\nline\",\"say \"\"hi\"\"\"\nplain,,\"\"\n"
        XCTAssertEqual(read(text), [
            .success(.init(line: 1, fields: ["a", "b", "c"])),
            .success(.init(line: 2, fields: ["x, y", "multi\nline", "say \"hi\""])),
            .success(.init(line: 4, fields: ["plain", "", ""])),
        ])
    }

    func testBOMAndCRLFAndMissingFinalNewline() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("name,email\r\nÁrvíztűrő,a@b.hu\r\n\r\nlast,z@z.io".utf8)
        XCTAssertEqual(read(bytes), [
            .success(.init(line: 1, fields: ["name", "email"])),
            .success(.init(line: 2, fields: ["Árvíztűrő", "a@b.hu"])),
            .success(.init(line: 4, fields: ["last", "z@z.io"])),
        ])
    }

    func testCRLFInsideQuotesIsKeptAndCountsOneLine() {
        XCTAssertEqual(read("\"a\r\nb\",c\r\nd,e\r\n"), [
            .success(.init(line: 1, fields: ["a\r\nb", "c"])),
            .success(.init(line: 3, fields: ["d", "e"])),
        ])
    }

    func testMalformedRecordsAreReportedAndReadingResumes() {
        let text = "ok,1\nbad\"quote,2\n\"closed\"junk,3\nfine,4\n\"never closed,5\nlost,6\n"
        XCTAssertEqual(read(text), [
            .success(.init(line: 1, fields: ["ok", "1"])),
            .failure(.init(line: 2, reason: "quote inside an unquoted field (quote the whole field)")),
            .failure(.init(line: 3, reason: "text after a closing quote")),
            .success(.init(line: 4, fields: ["fine", "4"])),
            .failure(.init(line: 5, reason: "quoted field is never closed")),
        ])
    }

    func testInvalidUTF8IsRejected() {
        let bytes = Array("a,b\n".utf8) + [0xC3, 0x28] + Array(",x\nc,d\n".utf8)
        XCTAssertEqual(read(bytes), [
            .success(.init(line: 1, fields: ["a", "b"])),
            .failure(.init(line: 2, reason: "field 1 is not valid UTF-8")),
            .success(.init(line: 3, fields: ["c", "d"])),
        ])
    }
}
