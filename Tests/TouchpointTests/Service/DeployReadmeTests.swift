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

/// The install commands of deploy/README.md, run as written into a scratch DESTDIR (the freshly
/// built debug binary standing in for the release one), then the installed unit verified.
final class DeployInstallTests: XCTestCase {
    func testReadmeInstallStepsWorkIntoAScratchRoot() throws {
        let root = TestStack.repositoryRoot
        let readme = try String(contentsOf: root.appendingPathComponent("deploy/README.md"), encoding: .utf8)
        let section = try XCTUnwrap(readme.range(of: "### 2. Install").map { readme[$0.upperBound...] })
        let block = try XCTUnwrap(section.range(of: "```sh\n").flatMap { start in
            section[start.upperBound...].range(of: "```").map { section[start.upperBound..<$0.lowerBound] }
        })
        let commands = block.split(separator: "\n").map(String.init).filter { $0.hasPrefix("install ") }
        XCTAssertGreaterThanOrEqual(commands.count, 4, String(block))
        let destdir = FileManager.default.temporaryDirectory.appendingPathComponent("tp-root-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: destdir) }
        var environment = ProcessInfo.processInfo.environment
        environment["DESTDIR"] = destdir.path
        for command in commands {
            let line = command.replacingOccurrences(of: ".build/release/touchpoint", with: TestStack.touchpointBinary)
            let result = try TestStack.run("/bin/sh", ["-ec", "cd \"$0\" && \(line)", root.path], environment: environment)
            XCTAssertEqual(result.status, 0, "\(line): \(result.error)")
        }
        func mode(_ path: String) throws -> Int {
            try XCTUnwrap(FileManager.default.attributesOfItem(atPath: destdir.path + path)[.posixPermissions] as? Int)
        }
        XCTAssertEqual(try mode("/usr/local/bin/touchpoint"), 0o755)
        XCTAssertEqual(try mode("/etc/touchpoint/touchpoint.conf"), 0o640)
        XCTAssertEqual(try mode("/etc/touchpoint/secrets"), 0o700)
        let version = try TestStack.run(destdir.path + "/usr/local/bin/touchpoint", ["--version"])
        XCTAssertEqual(version.status, 0)
        let check = try TestStack.run(destdir.path + "/usr/local/bin/touchpoint",
                                      ["--config", destdir.path + "/etc/touchpoint/touchpoint.conf", "check-config"])
        XCTAssertTrue(check.output.contains("syntax and values OK"), "the installed example parses: \(check.output)\(check.error)")

        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else {
            throw XCTSkip("systemd-analyze is not installed: the installed unit was not verified")
        }
        let verify = try TestStack.run("/usr/bin/systemd-analyze", ["verify", "--no-pager", destdir.path + "/etc/systemd/system/touchpoint.service"])
        let complaints = (verify.output + verify.error).split(separator: "\n").filter { !$0.contains("/usr/local/bin/touchpoint is not executable") }
        XCTAssertEqual(complaints, [])
    }
}
