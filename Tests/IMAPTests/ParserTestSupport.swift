import XCTest
@testable import IMAP

/// A small deterministic generator (SplitMix64) so "random" chunkings are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Chunking {
    case whole
    case byteByByte
    case random(seed: UInt64, maxChunk: Int)
}

/// Feeds `bytes` to a fresh parser cut the given way and collects every response.
func parseAll(_ bytes: [UInt8], chunking: Chunking = .whole, limits: IMAPParserLimits = .default) throws -> [IMAPResponse] {
    var parser = IMAPResponseParser(limits: limits)
    var responses: [IMAPResponse] = []
    func drain() throws {
        while let response = try parser.next() { responses.append(response) }
    }
    switch chunking {
    case .whole:
        parser.append(bytes)
        try drain()
    case .byteByByte:
        for byte in bytes {
            parser.append([byte])
            try drain()
        }
    case .random(let seed, let maxChunk):
        var generator = SeededGenerator(seed: seed)
        var index = 0
        while index < bytes.count {
            let size = Int.random(in: 1...maxChunk, using: &generator)
            let end = min(bytes.count, index + size)
            parser.append(bytes[index..<end])
            try drain()
            index = end
        }
    }
    XCTAssertEqual(parser.bufferedByteCount, 0, "bytes left over after the last response")
    return responses
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Joins lines with CRLF, each line including its terminator.
func wire(_ lines: String...) -> [UInt8] {
    bytes(lines.map { $0 + "\r\n" }.joined())
}

func literal(_ content: [UInt8]) -> [UInt8] { bytes("{\(content.count)}\r\n") + content }
