import XCTest
@testable import MIME

/// The IMAP pipeline uses the pieces separately (header block → Envelope; one fetched text part →
/// TextPartDecoder). Over the corpus they must agree with the whole-message parse.
final class PipelinePiecesTests: XCTestCase {
    func testHeaderOnlyEnvelopeAndStandaloneTextDecoderAgreeWithFullParse() throws {
        var compared = 0
        for (set, extensions) in CorpusTests.sets {
            for file in try Corpus.files(in: set, extensions: extensions) {
                let input = try Corpus.bytes(file)
                let full = MessageParser().parse(input)
                let headerBytes = Array(input[0..<full.root.bodyRange.lowerBound])
                let envelope = Envelope(headers: HeaderList.parse(headerBytes), contentType: full.root.contentType)
                XCTAssertEqual(envelope, full.envelope, file.lastPathComponent)
                guard let text = full.text, full.attachments.allSatisfy({ $0.transferEncoding != .uuencode }) else { continue }
                // The same rule as the parser: the first non-blank text/plain part, else the first one.
                var standaloneTexts: [String] = []
                for leaf in full.root.leaves() where !leaf.isAttachmentLike && leaf.contentType.subtype == "plain" {
                    guard leaf.bodyRange.count <= ParserLimits.default.maxTextBytes else { break }
                    let params = leaf.contentType.parameters
                    let standalone = TextPartDecoder.decode(
                        input[leaf.bodyRange], transferEncoding: leaf.transferEncoding.description,
                        charset: leaf.contentType.charset, subtype: "plain",
                        flowed: params["format"]?.lowercased() == "flowed", delSp: params["delsp"]?.lowercased() == "yes")
                    standaloneTexts.append(standalone.text)
                }
                guard let chosen = standaloneTexts.first(where: { !$0.allSatisfy(\.isWhitespace) }) ?? standaloneTexts.first else { continue }
                if chosen.allSatisfy(\.isWhitespace), !text.allSatisfy(\.isWhitespace) { continue }  // text came from HTML
                XCTAssertEqual(chosen, text, file.lastPathComponent)
                compared += 1
            }
        }
        print("pipeline pieces: \(compared) text parts decoded standalone identically")
        XCTAssertGreaterThan(compared, 100)
    }
}
