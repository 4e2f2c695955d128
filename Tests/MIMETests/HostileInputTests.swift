import XCTest
@testable import MIME

/// Inputs shaped to trigger quadratic scans or unbounded growth. Each must finish (linear work) with
/// bounded results; these were found by reading the scanners and by the fuzzer.
final class HostileInputTests: XCTestCase {
    func testUnterminatedEncodedWordsInOneLongField() {
        let value = String(repeating: "=?a?q?x", count: 9_000)  // never "?="
        let m = MessageParser().parse(bytes("Subject: \(value)\n\n"))
        XCTAssertEqual(m.subject?.count, value.count)  // kept literally
    }

    func testCommasInsideAnUnclosedAngleBracket() {
        let m = MessageParser().parse(bytes("To: <" + String(repeating: "a@b,", count: 10_000) + "\n\n"))
        XCTAssertLessThanOrEqual(m.to.count, ParserLimits.default.maxAddresses)
        XCTAssertFalse(m.defects.isEmpty)
    }

    func testManyUnclosedUuencodeBlocks() {
        let m = MessageParser().parse(bytes("Subject: x\n\n" + String(repeating: "begin 644 a\n", count: 50_000)))
        XCTAssertEqual(m.attachments, [])
        XCTAssertEqual(m.text?.utf8.count, 12 * 50_000)
    }

    func testDashLinesWithAVeryLongBoundary() {
        let boundary = String(repeating: "-", count: 8000) + "x"
        let body = String(repeating: String(repeating: "-", count: 7999) + "\n", count: 200)
        let m = MessageParser().parse(bytes("Content-Type: multipart/mixed; boundary=\"\(boundary)\"\n\n\(body)"))
        XCTAssertFalse(m.defects.isEmpty)  // boundary never found
    }

    func testDeepNestingOfEmbeddedMessages() {
        let m = MessageParser().parse(bytes(String(repeating: "Content-Type: message/rfc822\n\n", count: 5_000) + "end\n"))
        XCTAssertTrue(m.defects.contains { $0.contains("deeper than") })
    }

    func testHugeHeaderCountAndManyParts() {
        let headers = String(repeating: "X-A: b\n", count: 100_000)
        let m = MessageParser().parse(bytes(headers + "\nbody\n"))
        XCTAssertTrue(m.defects.contains { $0.contains("header") })
        var many = "Content-Type: multipart/mixed; boundary=b\n\n"
        many += String(repeating: "--b\n\nx\n", count: 20_000) + "--b--\n"
        let parts = MessageParser().parse(bytes(many))
        XCTAssertTrue(parts.defects.contains { $0.contains("MIME parts") })
    }

    func testManyDistinctCharsetLabels() {
        var subject = ""
        for i in 0..<300 { subject += "=?x-charset-\(i)?q?a?= " }
        let m = MessageParser().parse(bytes("Subject: \(subject)\n\n"))
        XCTAssertEqual(m.subject?.filter { $0 == "a" }.count, 300)
    }
}

final class LimitSanitisingTests: XCTestCase {
    func testNonPositiveLimitsAreClamped() {
        var limits = ParserLimits.default
        limits.maxHeaderValueBytes = -5
        limits.maxTextBytes = 0
        limits.maxDepth = -1
        let m = MessageParser(limits: limits).parse(bytes("Subject: hello\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\ntext\n--b--\n"))
        XCTAssertEqual(m.subject, "h")
        XCTAssertFalse(m.defects.isEmpty)
        XCTAssertEqual(HeaderList.parse(bytes("A: bc\n\n"), limits: limits)["A"], "b")
    }
}
