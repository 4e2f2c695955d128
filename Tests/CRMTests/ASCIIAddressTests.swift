import XCTest
@testable import CRM

/// The byte path of `AddressNormalizer.normalize` must give exactly what the Character-level
/// definition (`normalizeGeneral`) gives, for any input.
final class ASCIIAddressTests: XCTestCase {
    let tricky = [
        "John.Doe@Example.COM", "  <John.Doe@Example.COM> ", "<>", "<", ">", "< a@b.c >", "<<a@b.c>>", "a@b.c.", "a@b.c..",
        "a@.b.c", "a@b..c", "a@", "@b.c", "a@@b.c", "a@b@c.d", "a@b.c >", "\r\na@b.c\r\n", "a\r\n@b.c", "a@\r\nb.c",
        "\u{0B}a@b.c\u{0C}", "a@b\u{7F}.c", "a@b(c).d", "a@[192.0.2.1]", "a@b;c.d", "+tag@b.c", "a+b+c@d.e", "a+@b.c",
        "+@b.c", "a@xn--mnchen-3ya.de", "a@XN--fiqs8s", "a@xn--.de", "a@sub.xn--zz.de", "a@xn-x.de", "\"q u\"@b.c",
        "a@b.c\t", "a @b.c", "a@ b.c", "a@b .c", "A@B.C . ", "a@" + String(repeating: "b", count: 256),
        String(repeating: "a", count: 300) + "@b.c", "a@b.\u{301}c", "é@b.c", "a@münchen.de", "a\u{0}@b.c",
    ]

    func testAgreesWithTheGeneralPathOnTrickyInput() {
        for strip in [true, false] {
            let normalizer = AddressNormalizer(stripPlusTags: strip)
            for raw in tricky {
                XCTAssertEqual(normalizer.normalize(raw), normalizer.normalizeGeneral(raw), "\(raw.debugDescription) strip=\(strip)")
            }
        }
    }

    func testAgreesWithTheGeneralPathOnRandomASCII() {
        // Seeded, so a failure reproduces; the alphabet is weighted to the bytes the rules look at.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let alphabet: [Character] = Array("aZ09@.+<> \t\u{0B}-x_n\"(),;:[]\\\u{7F}\u{0}") + ["\r", "\n", "\r\n"]
        let normalizer = AddressNormalizer(stripPlusTags: true)
        var covered = 0
        for _ in 0..<20_000 {
            let raw = String((0..<next(14)).map { _ -> Character in alphabet[next(alphabet.count)] })
            let expected = normalizer.normalizeGeneral(raw)
            if expected != nil { covered += 1 }
            XCTAssertEqual(normalizer.normalize(raw), expected, raw.debugDescription)
        }
        XCTAssertGreaterThan(covered, 100, "the generator should produce valid addresses too")
    }

    func testDomainOfAnAddressMatchesTheCharacterSearch() {
        for raw in tricky + ["a@b@c", "x@\u{301}y.z", "\u{600}@b.c", "a@\u{600}@b.c", "no-at", "@", "a@", "é@ü.de"] {
            XCTAssertEqual(AddressNormalizer.domain(ofNormalized: raw), AddressNormalizer.domainByCharacters(ofNormalized: raw), raw.debugDescription)
        }
    }

    func testInternalDomainBytesMatchTheLabelWalk() {
        let domains = ["acme.example", "eu.acme.example", "xacme.example", "acme.example.org", "example", "a.b.acme.example",
                       "acme.exampl", "", ".acme.example", "münchen.acme.example", "acme.example.", "ACME.example"]
        for company in [["acme.example"], ["acme.example", "corp.test"], ["münchen.de", "acme.example"], []] {
            let config = MatchingConfig(internalDomains: company)
            for domain in domains {
                XCTAssertEqual(config.isInternal(domain: Substring(domain)), config.isInternalByLabels(domain: Substring(domain)),
                               "\(domain) in \(company)")
            }
        }
        XCTAssertTrue(MatchingConfig(internalDomains: ["acme.example"]).isInternal(domain: "eu.acme.example"))
        XCTAssertFalse(MatchingConfig(internalDomains: ["acme.example"]).isInternal(domain: "xacme.example"))
    }

    func testTrimmingShortcutMatchesCharacterTrimming() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF1
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["a", "Z", " ", "\t", "\r\n", "\n", "\u{301}", "\u{600}", "\u{A0}", "é", "日", "\u{200D}", "\u{3000}", ":"]
        for _ in 0..<20_000 {
            let text = Substring((0..<next(8)).map { _ in pieces[next(pieces.count)] }.joined())
            XCTAssertEqual(text.trimmingWhitespace(), text.trimmingWhitespaceByCharacters(), text.debugDescription)
        }
    }

    func testNonASCIIAndPunycodeStillGoTheGeneralWay() {
        let normalizer = AddressNormalizer()
        XCTAssertEqual(normalizer.normalize("Info@XN--Mnchen-3ya.DE"), "info@münchen.de")
        XCTAssertEqual(normalizer.normalize(" Jürgen@Straße.de "), "jürgen@straße.de")
        let bytes = Array("a@xn--mnchen-3ya.de".utf8)
        XCTAssertNil(bytes.withUnsafeBufferPointer { ASCIIAddress.normalize($0, stripPlusTags: true) })
    }
}
