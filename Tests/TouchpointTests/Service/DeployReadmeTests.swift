import Foundation
import XCTest

/// deploy/README.md documents every log event the code can emit (the event names are a
/// user-visible contract, DESIGN §7).
final class DeployReadmeTests: XCTestCase {
    static func eventNames(inSourcesUnder root: URL) throws -> Set<String> {
        let pattern = try NSRegularExpression(pattern: #"logger\.(?:error|warning|notice|info|debug|log)\((?:[^"()]*,\s*)?"([a-z0-9]+\.[a-z0-9.-]+)""#)
        var names = Set<String>()
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let file = enumerator?.nextObject() as? URL {
            guard file.pathExtension == "swift", let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { names.insert(String(text[range])) }
            }
        }
        return names
    }

    func testEveryLogEventIsInTheReadmeTable() throws {
        let root = TestStack.repositoryRoot
        let sources = root.appendingPathComponent("Sources/Touchpoint")
        guard FileManager.default.fileExists(atPath: sources.path) else { throw XCTSkip("sources not found at \(sources.path)") }
        let names = try Self.eventNames(inSourcesUnder: sources)
        XCTAssertTrue(names.contains("batch.committed") && names.contains("mailbox.synced"), "the scan finds events: \(names.sorted())")
        let readme = try String(contentsOf: root.appendingPathComponent("deploy/README.md"), encoding: .utf8)
        let undocumented = names.filter { !readme.contains("| `\($0)` |") }
        XCTAssertEqual(undocumented.sorted(), [], "add these events to the table in deploy/README.md")
    }
}
