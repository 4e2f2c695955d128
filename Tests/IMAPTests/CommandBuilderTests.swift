import XCTest
@testable import IMAP

final class CommandBuilderTests: XCTestCase {
    func testTagsAreUniqueAndOrdered() {
        var tags = TagGenerator()
        let made = (0..<10_001).map { _ in tags.make() }
        XCTAssertEqual(made[0], "A0001")
        XCTAssertEqual(made[9998], "A9999")
        XCTAssertEqual(made[9999], "A10000")
        XCTAssertEqual(Set(made).count, made.count)
    }

    private func text(_ command: IMAPCommand) -> String {
        command.segments.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "|")
    }

    func testAstringChoosesAtomQuotedOrLiteral() throws {
        var builder = CommandBuilder(tag: "A0001", name: "EXAMINE")
        try builder.astring(bytes("INBOX"))
        try builder.astring(bytes("Sent Items"))
        try builder.astring(bytes("a\"b\\c"))
        try builder.astring([])
        try builder.astring(bytes("x*"))
        try builder.astring([0xC3, 0xA9])
        XCTAssertEqual(text(builder.build()), "A0001 EXAMINE INBOX \"Sent Items\" \"a\\\"b\\\\c\" \"\" \"x*\" {2}\r\n|\u{E9}\r\n")

        var plus = CommandBuilder(tag: "A0002", name: "EXAMINE", literalPlus: true)
        try plus.astring([0xFF])
        XCTAssertEqual(plus.build().segments, [bytes("A0002 EXAMINE {1+}\r\n") + [0xFF] + bytes("\r\n")])
    }

    func testMailboxNamesAreSentInModifiedUTF7() throws {
        var builder = CommandBuilder(tag: "A0003", name: "EXAMINE")
        try builder.mailbox(MailboxName("Éléments envoyés"))
        XCTAssertEqual(text(builder.build()), "A0003 EXAMINE \"&AMk-l&AOk-ments envoy&AOk-s\"\r\n")
    }

    func testLineBreaksAndNulAreRefusedEverywhere() {
        for bad in ["a\rb", "a\nb", "a\0b", "\r\n"] {
            var builder = CommandBuilder(tag: "A0001", name: "EXAMINE")
            XCTAssertThrowsError(try builder.astring(bytes(bad))) { error in
                guard case .invalidArgument = (error as? IMAPError)?.kind else { return XCTFail("\(error)") }
            }
            XCTAssertThrowsError(try builder.raw(bad))
            XCTAssertThrowsError(try builder.mailbox(MailboxName(wire: bytes(bad))))
        }
    }

    func testSequenceSetCompaction() {
        XCTAssertEqual([UID(9), UID(1), UID(2), UID(3), UID(5), UID(10), UID(11), UID(3)].imapSequenceSet, "1:3,5,9:11")
        XCTAssertEqual((UID(4)...UID(4)).imapSet, "4")
        XCTAssertEqual((UID(4)...UID(9)).imapSet, "4:9")
    }
}

final class ModifiedUTF7Tests: XCTestCase {
    func testRFC3501Examples() throws {
        XCTAssertEqual(String(decoding: ModifiedUTF7.encode("~peter/mail/台北/日本語"), as: UTF8.self), "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
        XCTAssertEqual(try ModifiedUTF7.decode(bytes("~peter/mail/&U,BTFw-/&ZeVnLIqe-")), "~peter/mail/台北/日本語")
        XCTAssertEqual(String(decoding: ModifiedUTF7.encode("R&D"), as: UTF8.self), "R&-D")
        XCTAssertEqual(try ModifiedUTF7.decode(bytes("R&-D")), "R&D")
    }

    func testRoundTripOfSentFolderNames() throws {
        for name in SentFolderFinder.commonNames + ["😀 emoji", "a&b&&c", "Ünïcödé/Sub"] {
            let encoded = ModifiedUTF7.encode(name)
            XCTAssertTrue(encoded.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, name)
            XCTAssertEqual(try ModifiedUTF7.decode(encoded), name)
        }
    }

    func testInvalidInputIsRejected() {
        for bad in ["&", "&Jjo", "&AGE-", "&!!-", "caf\u{E9}"] {
            XCTAssertThrowsError(try ModifiedUTF7.decode(bytes(bad)), bad)
        }
        // Raw UTF-8 from a non-conforming server is shown rather than lost.
        XCTAssertEqual(MailboxName(wire: bytes("Envoyé")).displayName, "Envoyé")
    }

    func testInboxIsCaseInsensitive() {
        XCTAssertEqual(MailboxName("inbox"), .inbox)
        XCTAssertEqual(MailboxName(wire: bytes("InBoX")), .inbox)
        XCTAssertNotEqual(MailboxName("Sent"), MailboxName("sent"))
    }
}
