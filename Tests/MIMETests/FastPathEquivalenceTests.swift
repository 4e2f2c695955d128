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

    func testPhraseCollapseMatchesCharacterCollapse() {
        var decidedOnBytes = 0
        for text in randomTexts(count: 5_000, pieces: pieces) + ["", " ", "a b", " a", "a ", "a  b", " \u{301}a", "a \u{301}b", "\u{600} ", " é "] {
            let collapsed = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
            if let fast = AddressListParser.collapsedWithoutGraphemes(text) {
                decidedOnBytes += 1
                XCTAssertEqual(fast, collapsed, text.debugDescription)
            }
        }
        XCTAssertGreaterThan(decidedOnBytes, 100)
        XCTAssertEqual(AddressListParser.collapsedWithoutGraphemes("Zoë Smith-Jones "), "Zoë Smith-Jones")
        XCTAssertNil(AddressListParser.collapsedWithoutGraphemes("Zoë  Smith"))
        XCTAssertNil(AddressListParser.collapsedWithoutGraphemes("山田 "))
    }

    func testWindows1252TableDecodingMatchesScalarByScalar() {
        func reference(_ bytes: [UInt8]) -> String {
            let high: [UInt32] = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D,
                                  0x17D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC, 0x2122, 0x161,
                                  0x203A, 0x153, 0x9D, 0x17E, 0x178]
            var scalars = String.UnicodeScalarView()
            for b in bytes { scalars.append(Unicode.Scalar(b >= 0x80 && b < 0xA0 ? high[Int(b - 0x80)] : UInt32(b))!) }
            return String(scalars)
        }
        let every = (0...255).map { UInt8($0) }
        let samples: [[UInt8]] = [every, every.reversed(), Array("Gr\u{fc}\u{df}e".utf8), [0x80, 0x41, 0x9F, 0xFF, 0xA0], []]
        for bytes in samples {
            XCTAssertEqual(bytes.withUnsafeBufferPointer { CharsetConverter.decodeWindows1252($0) }, reference(bytes))
        }
    }

    func testLineEndsNormalisedOnBytesAsOnText() {
        for text in randomTexts(count: 3_000, pieces: pieces) + ["", "\r", "\r\r\n", "a\rb\r\nc\n", "\r\n\r\n"] {
            var bytes = Array(text.utf8)
            TextPartDecoder.normalizeLineEnds(&bytes)
            XCTAssertEqual(String(decoding: bytes, as: UTF8.self), TextPartDecoder.normalizeLineEnds(text), text.debugDescription)
        }
    }

    func testUTF8TextDecodesTheSameWhateverItsLineEnds() {
        // Line ends are normalised before charset decoding for UTF-8, ASCII and windows-1252,
        // after it for the rest; invalid bytes next to a CR must still become one U+FFFD each.
        let samples: [[UInt8]] = [[0xE2, 0x82, 0x0D, 0x0A, 0xAC], [0xC3, 0x0D, 0xA9], Array("Grüße\r\nÜber\rdas\n".utf8), [0xFF, 0x0D, 0x0D, 0x0A]]
        for bytes in samples {
            for charset in ["utf-8", "us-ascii", "windows-1252", "iso-8859-2", "koi8-r"] {
                let decoded = TextPartDecoder.decode(bytes, transferEncoding: "8bit", charset: charset)
                var reference: [String] = []
                let converted = CharsetConverterPool.shared.withConverter { $0.decode(bytes, charset: charset, defects: &reference) }
                XCTAssertEqual(decoded.text, TextPartDecoder.normalizeLineEnds(converted), "\(bytes) \(charset)")
                XCTAssertEqual(decoded.defects, reference, "\(bytes) \(charset)")
            }
        }
    }

    func testQuotedPrintableIntoFreshArrayMatchesAppending() {
        let qpPieces = ["=", "A", "3D", "=3D", "=C3=A9", "\r", "\n", "\r\n", " ", "\t", "=\r\n", "= \r\n", "=20", "é", "==", "=4", "x y"]
        for text in randomTexts(count: 5_000, pieces: qpPieces) + ["", "=", "= ", "a \n", "a =20\r\n"] {
            let bytes = Array(text.utf8)
            var appended: [UInt8] = []
            bytes.withUnsafeBufferPointer { referenceQuotedPrintableDecode($0, into: &appended) }
            XCTAssertEqual(bytes.withUnsafeBufferPointer { QuotedPrintable.decoded($0) }, appended, text.debugDescription)
        }
    }

    /// decodedSize works in 64 KiB windows cut at line starts: the total must not depend on them.
    func testQuotedPrintableSizeAcrossWindowsMatchesTheWholeDecode() {
        let line = "Gr=C3=BC=C3=9Fe aus K=C3=B6ln, 12 St=C3=BCck =3D 30 EUR  \r\nsoft=\r\nbreak\n"
        let bytes = Array(String(repeating: line, count: 5_000).utf8)
        XCTAssertGreaterThan(bytes.count, 3 << 16)
        bytes.withUnsafeBufferPointer { buffer in
            XCTAssertEqual(QuotedPrintable.decodedSize(buffer), QuotedPrintable.decoded(buffer).count)
        }
    }

    func testIconvTextNormalisesLineEndsAsTheStringPathDoes() {
        let samples: [(bytes: [UInt8], charset: String)] = [
            ([0xF0, 0xD2, 0xC9, 0x0D, 0x0A, 0xD7, 0x0D, 0xC5], "koi8-r"), ([0x82, 0xA0, 0x0D, 0x0D, 0x0A, 0x82], "shift_jis"),
            ([0x1B, 0x24, 0x42, 0x30, 0x21, 0x1B, 0x28, 0x42, 0x0D, 0x0A], "iso-2022-jp"), ([0xFF, 0x0D], "x-no-such-charset"),
        ]
        for (bytes, charset) in samples {
            var plainDefects: [String] = [], normalisedDefects: [String] = []
            let plain = CharsetConverterPool.shared.withConverter { $0.decode(bytes, charset: charset, defects: &plainDefects) }
            let normalised = CharsetConverterPool.shared.withConverter { converter in
                bytes.withUnsafeBufferPointer { converter.decode($0, charset: charset, normalizingLineEnds: true, defects: &normalisedDefects) }
            }
            XCTAssertEqual(normalised, TextPartDecoder.normalizeLineEnds(plain), charset)
            XCTAssertEqual(normalisedDefects, plainDefects, charset)
        }
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

/// The straightforward appending decoder the pointer-based `QuotedPrintable.decoded` replaced,
/// kept here as its oracle.
private func referenceQuotedPrintableDecode(_ buf: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    var i = 0
    let n = buf.count
    while i < n {
        // Copy the run up to the next "=" or line break in bulk.
        var j = i
        while j < n {
            let b = buf[j]
            if b == ASCII.equals || b == ASCII.lf || b == ASCII.cr { break }
            j += 1
        }
        if j > i {
            // Literal whitespace before a hard line break is transport padding (rule 3); an
            // encoded "=20" there is real content and is kept.
            var runEnd = j
            if j < n, buf[j] != ASCII.equals {
                while runEnd > i, buf[runEnd - 1] == ASCII.space || buf[runEnd - 1] == ASCII.tab { runEnd -= 1 }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<runEnd]))
        }
        if j >= n { break }
        let b = buf[j]
        if b == ASCII.equals {
            if j + 2 < n, let hi = ASCII.hexValue(buf[j + 1]), let lo = ASCII.hexValue(buf[j + 2]) {
                out.append(hi << 4 | lo)
                i = j + 3
                continue
            }
            // Soft line break: "=" followed by optional whitespace and a line end (or the end).
            var k = j + 1
            while k < n, buf[k] == ASCII.space || buf[k] == ASCII.tab { k += 1 }
            if k >= n { i = n; continue }
            if buf[k] == ASCII.cr { k += 1; if k < n, buf[k] == ASCII.lf { k += 1 }; i = k; continue }
            if buf[k] == ASCII.lf { i = k + 1; continue }
            out.append(ASCII.equals)
            i = j + 1
            continue
        }
        // Hard line break: drop trailing whitespace; a QP line break is the canonical CRLF whatever
        // the transport delivered (so decoded sizes do not depend on LF vs CRLF storage).
        out.append(ASCII.cr)
        out.append(ASCII.lf)
        i = (b == ASCII.cr && j + 1 < n && buf[j + 1] == ASCII.lf) ? j + 2 : j + 1
    }
}
