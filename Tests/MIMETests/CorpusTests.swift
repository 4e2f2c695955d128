import Foundation
import XCTest
@testable import MIME

/// Whole-corpus checks over ../shared/corpus (skipped visibly when absent).
final class CorpusTests: XCTestCase {
    static let sets = [
        ("synthetic-charsets", Set(["eml"])),
        ("stalwart-mail-parser/rfc", Set(["eml"])),
        ("stalwart-mail-parser/malformed", Set(["eml"])),
        ("stalwart-mail-parser/thirdparty", Set(["eml"])),
        ("mime4j/testmsgs", Set(["msg"])),
        ("mime4j/mimetools-testmsgs", Set(["msg"])),
        ("cpython", Set(["txt"])),
    ]

    /// Every message parses (no crash, no hang) and produces a well-formed inspect line; every other
    /// file in the corpus (expectations, licences) is fed to the parser as hostile input too.
    func testEveryCorpusFileParses() throws {
        let root = try Corpus.directory("")
        var total = 0
        var summary: [String] = []
        for (set, extensions) in Self.sets {
            let files = try Corpus.files(in: set, extensions: extensions)
            XCTAssertFalse(files.isEmpty, set)
            var withDefects = 0
            for file in files {
                let message = MessageParser().parse(try Corpus.bytes(file))
                let line = message.inspectJSON(file: file.lastPathComponent)
                XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)), "\(file.lastPathComponent): invalid JSON")
                XCTAssertFalse(line.contains("\n"), "\(file.lastPathComponent): JSON line contains a newline")
                if !message.defects.isEmpty { withDefects += 1 }
            }
            total += files.count
            summary.append("\(set): \(files.count) parsed (\(withDefects) with defects)")
        }
        var everything = 0
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        for case let url as URL in enumerator where !url.hasDirectoryPath {
            _ = MessageParser().parse(try Corpus.bytes(url))
            everything += 1
        }
        print((summary + ["messages: \(total); all corpus files fed to the parser: \(everything)"]).joined(separator: "\n"))
        XCTAssertGreaterThan(everything, total)
    }

    /// LF, CRLF and mixed forms of every corpus message give the same header values, text and attachments.
    /// Sizes are compared for base64 and quoted-printable attachments only: a 7bit/8bit body's decoded
    /// size legitimately includes its line ends.
    func testLineEndingsDoNotChangeTheResult() throws {
        var compared = 0
        var differing: [String] = []
        for (set, extensions) in Self.sets {
            for file in try Corpus.files(in: set, extensions: extensions) {
                let original = try Corpus.bytes(file)
                // Binary bodies (NUL bytes, bare CRs) change meaning when line ends are rewritten.
                guard !original.contains(0), !hasBareCR(original) else { continue }
                let lf = original.filter { $0 != ASCII.cr }
                var wire: [UInt8] = [], mixed: [UInt8] = []
                var line = 0
                for b in lf {
                    if b == ASCII.lf {
                        wire.append(ASCII.cr)
                        if line % 2 == 0 { mixed.append(ASCII.cr) }
                        line += 1
                    }
                    wire.append(b)
                    mixed.append(b)
                }
                let reference = Summary(MessageParser().parse(lf))
                compared += 1
                if reference != Summary(MessageParser().parse(wire)) || reference != Summary(MessageParser().parse(mixed)) {
                    differing.append("\(set)/\(file.lastPathComponent)")
                }
            }
        }
        print("line-ending equivalence: \(compared - differing.count)/\(compared) identical")
        XCTAssertEqual(differing, [])
    }

    private func hasBareCR(_ bytes: [UInt8]) -> Bool {
        for i in bytes.indices where bytes[i] == ASCII.cr && (i + 1 == bytes.count || bytes[i + 1] != ASCII.lf) { return true }
        return false
    }

    struct Summary: Equatable {
        var subject: String?, messageID: String?, date: Date?, from: [Mailbox], to: [Mailbox], cc: [Mailbox]
        var text: String?, attachments: [String], automated: Bool
        init(_ m: ParsedMessage) {
            subject = m.subject; messageID = m.messageID; date = m.date; from = m.from; to = m.to; cc = m.cc
            text = m.text.map { $0.replacingOccurrences(of: "\r", with: "") }
            attachments = m.attachments.map {
                let sized = $0.transferEncoding == .base64 || $0.transferEncoding == .quotedPrintable
                return "\($0.filename ?? "-") \($0.contentType) \(sized ? String($0.size) : "")"
            }
            automated = m.automated != nil
        }
    }
}

/// Attachment sizes are computed without decoding; over the whole corpus they must equal the size
/// of the actually decoded bytes (base64, quoted-printable, uuencode, identity encodings).
final class AttachmentSizeTests: XCTestCase {
    func testComputedSizesEqualDecodedSizesAcrossTheCorpus() throws {
        var checked = 0
        for (set, extensions) in CorpusTests.sets {
            for file in try Corpus.files(in: set, extensions: extensions) {
                let input = try Corpus.bytes(file)
                let message = MessageParser().parse(input)
                for attachment in message.attachments where attachment.transferEncoding != .uuencode {
                    let decoded = attachment.transferEncoding.decode(Array(input[attachment.bodyRange]))
                    XCTAssertEqual(attachment.size, decoded.count, "\(set)/\(file.lastPathComponent) \(attachment.filename ?? "-")")
                    checked += 1
                }
            }
        }
        print("attachment sizes: \(checked) computed sizes equal decoded sizes")
        XCTAssertGreaterThan(checked, 100)
    }
}
