import XCTest
@testable import Touchpoint

/// `Snippet.make` scans bytes; `Snippet.makeByScalars` is the scalar-level definition. They must
/// agree on every text, including CR LF, non-ASCII whitespace, quotes and signature lines.
final class SnippetEquivalenceTests: XCTestCase {
    func testByteScanAgreesWithScalarDefinition() {
        var state: UInt64 = 0xDEAD_BEEF_CAFE_F00D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["word", "Ünïcödé", "日本語", "😀", " ", "  ", "\t", "\n", "\r", "\r\n", "\u{A0}", "\u{3000}", "\u{2028}",
                      "\u{85}", "\u{301}", ">", "> quoted", "--", "-- ", "\n--\n", "\n-- \r\n", "\n  > x\n", "…", "x"]
        for round in 0..<4_000 {
            let text = (0..<next(120)).map { _ in pieces[next(pieces.count)] }.joined()
            let limit = [Snippet.maximumCharacters, 1, 2, 5, 12, 40][round % 6]
            XCTAssertEqual(Snippet.make(from: text, limit: limit), Snippet.makeByScalars(from: text, limit: limit),
                           "\(text.debugDescription) limit \(limit)")
        }
    }

    func testWhitespaceShortcutMatchesThePropertyTable() {
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if Snippet.isWhitespaceBeyondASCII(value) != scalar.properties.isWhitespace {
                XCTFail("U+\(String(value, radix: 16))")
                return
            }
        }
    }
}
