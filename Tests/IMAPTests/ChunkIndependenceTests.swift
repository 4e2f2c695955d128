import XCTest
@testable import IMAP

/// The network cuts responses anywhere; the parser must not care (swift-nio's habit).
final class ChunkIndependenceTests: XCTestCase {
    private func sampleStream() -> [UInt8] {
        var stream = wire(
            "* OK [CAPABILITY IMAP4rev1 LITERAL+ CONDSTORE] ready",
            "* 3 EXISTS",
            "* OK [UIDVALIDITY 7] x",
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"",
            "A0001 OK [READ-ONLY] done"
        )
        for uid in 1...20 {
            let header = bytes("Subject: message \(uid)\r\nX-Trap: A0002 OK fake\r\n\r\n")
            let text = bytes(String(repeating: "line \(uid) {5}\r\n* 1 EXISTS\r\n", count: uid))
            stream += bytes("* \(uid) FETCH (UID \(uid * 10) RFC822.SIZE \(uid * 100) INTERNALDATE \"0\(uid % 9 + 1)-Feb-2024 10:00:00 +0100\" ")
            stream += bytes("BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 10 1 NIL NIL NIL NIL)")
            stream += bytes("(\"image\" \"png\" NIL NIL NIL \"base64\" 5000 NIL (\"attachment\" (\"filename\" \"a.png\")) NIL NIL) \"mixed\") ")
            stream += bytes("BODY[HEADER] ") + literal(header) + bytes(" BODY[1]<0> ") + literal(text) + bytes(")\r\n")
        }
        stream += wire("A0002 OK Fetch completed", "+ idling", "* BYE bye")
        return stream
    }

    func testSameResultWholeByteByByteAndRandomChunks() throws {
        let stream = sampleStream()
        let whole = try parseAll(stream, chunking: .whole)
        XCTAssertEqual(whole.count, 5 + 20 + 3)
        XCTAssertEqual(try parseAll(stream, chunking: .byteByByte), whole)
        for seed in UInt64(1)...20 {
            XCTAssertEqual(try parseAll(stream, chunking: .random(seed: seed, maxChunk: 1 + Int(seed) * 13)), whole, "seed \(seed)")
        }
    }

    /// An idle session frees the parser's buffer; called between any two chunks (mid-literal,
    /// mid-line, between responses) it must never lose or reorder a byte.
    func testReleasingSpareCapacityBetweenChunksChangesNothing() throws {
        let stream = sampleStream()
        let whole = try parseAll(stream)
        for seed in UInt64(1)...10 {
            var generator = SeededGenerator(seed: seed)
            var parser = IMAPResponseParser()
            var collected: [IMAPResponse] = []
            var offset = 0
            while offset < stream.count {
                let size = min(stream.count - offset, 1 + Int(generator.next() % 97))
                parser.append(stream[offset..<(offset + size)])
                offset += size
                parser.releaseSpareCapacity()
                while let response = try parser.next() {
                    collected.append(response)
                    parser.releaseSpareCapacity()
                }
            }
            XCTAssertEqual(collected, whole, "seed \(seed)")
            XCTAssertEqual(parser.bufferedByteCount, 0)
        }
    }

    func testResponsesFedOneByOne() throws {
        let stream = sampleStream()
        let whole = try parseAll(stream)
        var parser = IMAPResponseParser()
        var collected: [IMAPResponse] = []
        // Cut exactly at response boundaries, the third chunking swift-nio's helper uses.
        var start = 0
        var probe = IMAPResponseParser()
        for index in stream.indices {
            probe.append([stream[index]])
            if try probe.next() != nil {
                parser.append(stream[start...index])
                while let response = try parser.next() { collected.append(response) }
                start = index + 1
            }
        }
        XCTAssertEqual(collected, whole)
    }

    func testLargeStreamParsesInLinearTime() throws {
        // 5,000 responses with literals, fed in 1 KiB chunks: a parser that rescans from the
        // start would do ~10^10 byte visits and never finish within the test timeout.
        var stream: [UInt8] = []
        let header = [UInt8](repeating: UInt8(ascii: "h"), count: 500) + bytes("\r\n\r\n")
        for uid in 1...5000 {
            stream += bytes("* \(uid) FETCH (UID \(uid) BODY[HEADER] ") + literal(header) + bytes(")\r\n")
        }
        let responses = try parseAll(stream, chunking: .random(seed: 99, maxChunk: 1024))
        XCTAssertEqual(responses.count, 5000)
    }
}
