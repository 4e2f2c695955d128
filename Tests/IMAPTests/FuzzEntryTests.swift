import XCTest
@testable import IMAP

final class FuzzEntryTests: XCTestCase {
    /// Mutated RFC examples through the fuzz entry point: it must neither crash nor disagree
    /// with itself across chunkings.
    func testMutatedInputsDoNotCrash() {
        let seeds: [[UInt8]] = [
            wire("* 12 FETCH (UID 5 BODY[HEADER] {5}", "abcde BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1))"),
            wire("* OK [UIDVALIDITY 3857529045] UIDs valid", "A1 OK [CAPABILITY IMAP4rev1] x"),
            wire("* LIST (\\Sent) \"/\" \"&AMk-\"", "* SEARCH 1 2 (MODSEQ 3)", "+ go"),
        ]
        var generator = SeededGenerator(seed: 42)
        for seed in seeds {
            for _ in 0..<300 {
                var mutated = seed
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let position = Int.random(in: 0..<mutated.count, using: &generator)
                    switch Int.random(in: 0...2, using: &generator) {
                    case 0: mutated[position] = UInt8.random(in: 0...255, using: &generator)
                    case 1: mutated.remove(at: position)
                    default: mutated.insert(Array(bytes("(){}\"\\ \r\n~+0123")).randomElement(using: &generator)!, at: position)
                    }
                    if mutated.isEmpty { mutated = [0] }
                }
                mutated.withUnsafeBytes { fuzzIMAPResponses($0) }
            }
        }
    }
}
