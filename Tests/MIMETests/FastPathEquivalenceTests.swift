import XCTest
@testable import MIME

/// Byte-level fast paths must give what the Character-level definitions they replace give.
final class FastPathEquivalenceTests: XCTestCase {
    /// Seeded strings over the pieces the rules care about: line ends, spaces, quote marks,
    /// combining marks that join a preceding space or ">" into one Character, CR LF pairs.
    func randomTexts(count: Int, pieces: [String]) -> [String] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { _ in (0..<next(24)).map { _ in pieces[next(pieces.count)] }.joined() }
    }

    let pieces = ["\n", "\r", "\r\n", " ", "  ", "\t", ">", "> ", "-- ", "--", "a", "Zé", "\u{301}", "\u{600}", "한", "日本", "\u{200D}"]

    func testFlowedLineSplitMatchesCharacterSplit() {
        for text in randomTexts(count: 5_000, pieces: pieces) + ["", "\n", "a\n", "\n\n", "\r\n", "a\r\nb\nc", "\n\u{301}x"] {
            XCTAssertEqual(FlowedText.lineSlices(text), text.split(separator: "\n", omittingEmptySubsequences: false),
                           text.debugDescription)
        }
    }

    func testPhraseCollapseCheckMatchesCharacterCollapse() {
        for text in randomTexts(count: 5_000, pieces: pieces) + ["", " ", "a b", " a", "a ", "a  b", " \u{301}a", "a \u{301}b"] {
            let collapsed = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
            if AddressListParser.isCollapsed(text) {
                XCTAssertEqual(text, collapsed, text.debugDescription)
            }
        }
        XCTAssertTrue(AddressListParser.isCollapsed("Zoë Smith-Jones"))
        XCTAssertFalse(AddressListParser.isCollapsed("Zoë  Smith"))
        XCTAssertFalse(AddressListParser.isCollapsed(" Zoë"))
    }

    func testFilenameSkipsDecodingOnlyWhenNoPairCanNameTheFile() {
        XCTAssertFalse(BodyParameters.mayName("filename", [("charset", "utf-8"), ("file", "x")]))
        XCTAssertTrue(BodyParameters.mayName("filename", [("FileName*0*", "utf-8''a")]))
        XCTAssertTrue(BodyParameters.mayName("name", [("NAME", "a.pdf")]))
        XCTAssertEqual(BodyParameters.filename(disposition: [("FILENAME*", "utf-8''%C3%A9t%C3%A9.pdf")], contentType: []), "été.pdf")
        XCTAssertEqual(BodyParameters.filename(disposition: [("size", "10")], contentType: [("Name", "=?utf-8?B?w6l0w6kucGRm?=")]), "été.pdf")
        XCTAssertNil(BodyParameters.filename(disposition: [("size", "10")], contentType: [("charset", "utf-8")]))
    }
}
