import Dispatch
import Foundation
import XCTest
@testable import MIME

/// Parsers on several threads share the converter pool; results must not depend on interleaving.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentParsesMatchSequentialOnes() throws {
        let files = try Corpus.files(in: "synthetic-charsets", extensions: ["eml"])
        let inputs = try files.map(Corpus.bytes)
        let sequential = inputs.map { CorpusTests.Summary(MessageParser().parse($0)) }
        // Each slot is written by exactly one iteration and read after concurrentPerform returns.
        struct Slots: @unchecked Sendable { let buffer: UnsafeMutableBufferPointer<CorpusTests.Summary?> }
        let count = inputs.count * 4
        let slots = Slots(buffer: .allocate(capacity: count))
        slots.buffer.initialize(repeating: nil)
        defer { _ = slots.buffer.deinitialize(); slots.buffer.deallocate() }
        DispatchQueue.concurrentPerform(iterations: count) { i in
            slots.buffer[i] = CorpusTests.Summary(MessageParser().parse(inputs[i % inputs.count]))
        }
        let results = Array(slots.buffer)
        for i in 0..<(inputs.count * 4) {
            XCTAssertEqual(results[i], sequential[i % inputs.count], files[i % inputs.count].lastPathComponent)
        }
    }
}
