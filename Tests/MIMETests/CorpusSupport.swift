import Foundation
import XCTest

/// Locates ../shared/corpus relative to the package root; tests skip visibly when it is absent.
enum Corpus {
    static var root: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/corpus")
    }

    static func directory(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("corpus folder \(url.path) not present: corpus tests skipped")
        }
        return url
    }

    static func files(in relative: String, extensions: Set<String>) throws -> [URL] {
        let dir = try directory(relative)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return names.filter { extensions.contains(($0 as NSString).pathExtension) }.map { dir.appendingPathComponent($0) }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Test messages are written with LF; `crlf` gives the wire form.
func crlf(_ s: String) -> [UInt8] { Array(s.replacingOccurrences(of: "\n", with: "\r\n").utf8) }
