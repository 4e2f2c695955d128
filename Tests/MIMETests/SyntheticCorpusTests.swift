import Foundation
import XCTest
@testable import MIME

/// The synthetic multilingual set: every field in synNNN.json must match exactly (subject, from/to
/// names and addresses, body text after CRLF→LF, attachment filename, decoded size and SHA-256).
final class SyntheticCorpusTests: XCTestCase {
    func testEverySyntheticMessageMatchesItsExpectation() throws {
        let files = try Corpus.files(in: "synthetic-charsets", extensions: ["eml"])
        XCTAssertEqual(files.count, 40)
        var passed = 0
        for file in files {
            let input = try Corpus.bytes(file)
            let expectedURL = file.deletingPathExtension().appendingPathExtension("json")
            let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: expectedURL)) as? [String: Any])
            let name = file.lastPathComponent
            let message = MessageParser().parse(input)
            var ok = true
            func check<T: Equatable>(_ actual: T, _ wanted: T, _ what: String) {
                if actual != wanted { ok = false; XCTFail("\(name) \(what): got \(actual), want \(wanted)") }
            }
            check(message.subject, expected["subject"] as? String, "subject")
            let from = try XCTUnwrap(expected["from"] as? [String: String])
            check(message.from.map(\.name), [from["name"]], "from name")
            check(message.from.map(\.address), [from["address"]!], "from address")
            let to = try XCTUnwrap(expected["to"] as? [[String: String]])
            check(message.to.map { $0.name ?? "" }, to.map { $0["name"] ?? "" }, "to names")
            check(message.to.map(\.address), to.map { $0["address"]! }, "to addresses")
            let parts = try XCTUnwrap(expected["parts"] as? [[String: Any]])
            let textPart = try XCTUnwrap(parts.first { ($0["content_type"] as? String) == "text/plain" })
            check(message.text, textPart["text"] as? String, "text")
            let expectedAttachments = parts.filter { $0["filename"] != nil }
            check(message.attachments.count, expectedAttachments.count, "attachment count")
            for (attachment, wanted) in zip(message.attachments, expectedAttachments) {
                check(attachment.filename, wanted["filename"] as? String, "filename")
                check(attachment.size, wanted["size"] as? Int, "size")
                check(attachment.contentType, wanted["content_type"] as? String, "content type")
                let encoded = Array(input[attachment.bodyRange])
                let decoded = attachment.transferEncoding.decode(encoded)
                check(decoded.count, attachment.size, "decoded size equals computed size")
                check(SHA256.hex(decoded), wanted["sha256"] as? String, "sha256")
            }
            check(message.automated == nil, true, "not automated")
            if ok { passed += 1 }
        }
        print("synthetic-charsets: \(passed)/\(files.count) match their expectations")
        XCTAssertEqual(passed, files.count)
    }

    func testSHA256KnownAnswer() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
