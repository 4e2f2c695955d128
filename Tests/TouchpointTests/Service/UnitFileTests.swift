import Foundation
import XCTest

/// deploy/touchpoint.service as Debian 12's systemd judges it: exposure ≤ 2.0 and a clean verify.
final class UnitFileTests: XCTestCase {
    static let maximumExposure = 2.0

    var unitPath: String { TestStack.repositoryRoot.appendingPathComponent("deploy/touchpoint.service").path }

    func systemdAnalyze() throws -> String {
        for candidate in ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw XCTSkip("systemd-analyze is not installed (Debian package systemd): cannot score deploy/touchpoint.service")
    }

    /// "→ Overall exposure level for touchpoint.service: 1.1 OK 🙂" → 1.1
    static func exposure(in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("Overall exposure level") }),
              let colon = line.lastIndex(of: ":") else { return nil }
        return line[line.index(after: colon)...].split(separator: " ").first.flatMap { Double($0) }
    }

    func testExposureParser() {
        XCTAssertEqual(Self.exposure(in: "x\n→ Overall exposure level for touchpoint.service: 1.1 OK 🙂\n"), 1.1)
        XCTAssertEqual(Self.exposure(in: "→ Overall exposure level for a.service: 9.6 UNSAFE 😨"), 9.6)
        XCTAssertNil(Self.exposure(in: "no score here"))
    }

    func testSecurityExposureIsAtMostTwo() throws {
        let analyze = try systemdAnalyze()
        let result = try TestStack.run(analyze, ["security", "--offline=yes", "--no-pager", unitPath])
        let output = result.output + result.error
        let score = try XCTUnwrap(Self.exposure(in: output), "no exposure level in:\n\(output)")
        print("systemd-analyze security --offline=yes deploy/touchpoint.service: \(score)")
        XCTAssertLessThanOrEqual(score, Self.maximumExposure, output)
    }

    func testVerifyRaisesNothingButTheMissingBinary() throws {
        let analyze = try systemdAnalyze()
        let result = try TestStack.run(analyze, ["verify", "--no-pager", unitPath])
        let complaints = (result.output + result.error).split(separator: "\n").map(String.init)
            .filter { !$0.contains("/usr/local/bin/touchpoint is not executable") }
        XCTAssertEqual(complaints, [], "systemd-analyze verify:\n\(complaints.joined(separator: "\n"))")
    }
}
